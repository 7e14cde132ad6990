import Foundation
import ReminderContracts
import ReminderDomain
import Testing
import Timestamps

@Suite("Escalation planner")
struct EscalationPlannerTests {
    let fired = Timestamp.parse("2026-05-04T10:00:00Z")!
    let step = EscalationStep(afterMinutes: 60, toUserIDs: [7], channels: [.email])

    func decide(
        at minutes: Double, reactions: [EscalationPlanner.Reaction] = [], settled: Bool = false, stopped: Bool = false,
        recipients: Set<Int> = [1, 2]
    ) -> EscalationDecision {
        EscalationPlanner.decide(
            step: step, index: 0, firedAt: fired, now: fired.addingTimeInterval(minutes * 60), recipients: recipients,
            reactions: reactions, settled: settled, reminderStopped: stopped
        )
    }

    func reaction(_ user: Int, _ kind: EscalationPlanner.Reaction.Kind, minutes: Double) -> EscalationPlanner.Reaction {
        .init(userID: user, kind: kind, at: fired.addingTimeInterval(minutes * 60))
    }

    @Test("before its time a step waits for exactly its time; at and after it, it fires")
    func timing() {
        #expect(decide(at: 0) == .wait(until: fired.addingTimeInterval(3600)))
        #expect(decide(at: 59.99) == .wait(until: fired.addingTimeInterval(3600)))
        guard case .fire(let reason) = decide(at: 60) else { Issue.record("expected fire"); return }
        #expect(reason == "escalation step 1: nobody acknowledged within 60 minutes; escalated to user 7")
        guard case .fire = decide(at: 600) else { Issue.record("a late scheduler still fires it"); return }
    }

    @Test("an acknowledgement or dismissal by an original recipient stops it, before or after its time")
    func stopOnAcknowledgement() {
        #expect(decide(at: 61, reactions: [reaction(2, .acknowledged, minutes: 30)]) == .stop(reason: "escalation step 1 stopped: acknowledged by user 2"))
        #expect(decide(at: 10, reactions: [reaction(1, .dismissed, minutes: 5)]) == .stop(reason: "escalation step 1 stopped: dismissed by user 1"))
        // The first reaction names the stop.
        #expect(decide(at: 61, reactions: [reaction(2, .acknowledged, minutes: 40), reaction(1, .dismissed, minutes: 20)])
            == .stop(reason: "escalation step 1 stopped: dismissed by user 1"))
    }

    @Test("reactions that do not count: before the firing, by someone who is not a recipient, or not yet made")
    func reactionsThatDoNotCount() {
        guard case .fire = decide(at: 60, reactions: [reaction(1, .acknowledged, minutes: -5)]) else { Issue.record("an older acknowledgement stopped it"); return }
        guard case .fire = decide(at: 60, reactions: [reaction(7, .acknowledged, minutes: 5)]) else { Issue.record("the escalation target stopped it"); return }
        #expect(decide(at: 30, reactions: [reaction(1, .acknowledged, minutes: 45)]) == .wait(until: fired.addingTimeInterval(3600)))
    }

    @Test("at most once: a settled step does nothing more; a stopped reminder stops its steps")
    func atMostOnce() {
        #expect(decide(at: 120, settled: true) == .settled)
        #expect(decide(at: 120, reactions: [reaction(1, .acknowledged, minutes: 1)], settled: true) == .settled)
        #expect(decide(at: 120, stopped: true) == .stop(reason: "escalation step 1 stopped: the reminder was stopped or completed"))
    }

    @Test("later steps count from the firing, not from the step before")
    func laterSteps() {
        let second = EscalationStep(afterMinutes: 120, toUserIDs: [8, 9], channels: [.mattermost, .frontend])
        let decision = EscalationPlanner.decide(
            step: second, index: 1, firedAt: fired, now: fired.addingTimeInterval(7200), recipients: [1],
            reactions: [], settled: false, reminderStopped: false
        )
        #expect(decision == .fire(reason: "escalation step 2: nobody acknowledged within 120 minutes; escalated to user 8, 9"))
        #expect(EscalationPlanner.dueTime(of: second, firedAt: fired) == fired.addingTimeInterval(7200))
    }

    @Test("validation: at most 5 steps, increasing times, at least one user and channel, nothing twice")
    func validation() {
        func steps(_ minutes: [Int]) -> [EscalationStep] { minutes.map { EscalationStep(afterMinutes: $0, toUserIDs: [1], channels: [.email]) } }
        #expect(EscalationPlanner.validate([]) == nil)
        #expect(EscalationPlanner.validate(steps([10, 20, 30, 40, 50])) == nil)
        #expect(EscalationPlanner.validate(steps([10, 20, 30, 40, 50, 60]))?.field == "escalation")
        #expect(EscalationPlanner.validate(steps([10, 10]))?.field == "escalation[1].after_minutes")
        #expect(EscalationPlanner.validate(steps([30, 20]))?.field == "escalation[1].after_minutes")
        #expect(EscalationPlanner.validate(steps([0]))?.field == "escalation[0].after_minutes")
        #expect(EscalationPlanner.validate(steps([43_201]))?.field == "escalation[0].after_minutes")
        #expect(EscalationPlanner.validate([EscalationStep(afterMinutes: 5, toUserIDs: [], channels: [.email])])?.field == "escalation[0].to_user_ids")
        #expect(EscalationPlanner.validate([EscalationStep(afterMinutes: 5, toUserIDs: [3, 3], channels: [.email])])?.field == "escalation[0].to_user_ids")
        #expect(EscalationPlanner.validate([EscalationStep(afterMinutes: 5, toUserIDs: [3], channels: [])])?.field == "escalation[0].channels")
        #expect(EscalationPlanner.validate([EscalationStep(afterMinutes: 5, toUserIDs: [3], channels: [.email, .email])])?.field == "escalation[0].channels")
    }

    @Test("a step reads and writes the API's field names")
    func coding() throws {
        let json = #"{"after_minutes":60,"to_user_ids":[7],"channels":["email"]}"#
        let decoded = try JSONDecoder().decode(EscalationStep.self, from: Data(json.utf8))
        #expect(decoded == step)
    }
}
