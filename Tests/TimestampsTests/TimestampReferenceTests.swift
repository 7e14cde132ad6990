import Foundation
import TestRandom
import Testing
import Timestamps

/// The formats against Foundation's formatters for many random instants.
@Suite("Timestamps against Foundation's formatters")
struct TimestampReferenceTests {
    /// An instant in years 1 to 9999, in whole milliseconds (what Foundation's formatters keep).
    static func randomMilliseconds(_ random: inout SplitMix) -> Date {
        let millis = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &random)
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    @Test("RFC 3339 with milliseconds: the same text as ISO8601DateFormatter, and it reads back the same instant")
    func iso8601() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var random = SplitMix(seed: 2)
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let date = Self.randomMilliseconds(&random)
            // Foundation's proleptic calendar switches to Julian before 1582.
            guard date.timeIntervalSince1970 > -12_219_292_800 else { continue }
            let expected = formatter.string(from: date)
            let ours = Timestamp.format(date, fractionDigits: 3)
            let parsed = Timestamp.parse(expected)
            if ours != expected || parsed.map({ abs($0.timeIntervalSince(date)) > 0.000_5 }) ?? true {
                mismatches.append("\(date.timeIntervalSince1970): \(ours) vs \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("offsets on input: a local time with its offset names the same instant as Foundation reads")
    func offsets() throws {
        var random = SplitMix(seed: 3)
        var mismatches: [String] = []
        for _ in 0..<5000 {
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: 0...4_102_444_800_000, using: &random)) / 1000)
            let offset = Int.random(in: -14 * 4...14 * 4, using: &random) * 900
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(secondsFromGMT: offset)
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSxxx"
            let text = formatter.string(from: date)
            let ours = Timestamp.parse(text)
            let fields = DateTimeFields(rfc3339: text)?.date
            if ours != date && ours.map({ abs($0.timeIntervalSince(date)) > 0.000_001 }) ?? true { mismatches.append(text) }
            if fields.map({ abs($0.timeIntervalSince(date)) > 0.000_001 }) ?? true { mismatches.append("fields: \(text)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("the e-mail date and the HTTP date as DateFormatter writes and reads them")
    func mailAndHTTP() {
        func formatter(_ format: String) -> DateFormatter {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            return formatter
        }
        let mail = formatter("EEE, dd MMM yyyy HH:mm:ss '+0000'")
        let imf = formatter("EEE, dd MMM yyyy HH:mm:ss 'GMT'")
        let asctime = formatter("EEE MMM d HH:mm:ss yyyy")
        var random = SplitMix(seed: 4)
        var mismatches: [String] = []
        for _ in 0..<5000 {
            // 1600 to 9999, whole seconds.
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: -11_676_096_000...253_402_300_799, using: &random)))
            if Timestamp.rfc5322(date) != mail.string(from: date) { mismatches.append("mail \(date)") }
            if Timestamp.parseHTTPDate(imf.string(from: date)) != date { mismatches.append(imf.string(from: date)) }
            if Timestamp.parseHTTPDate(asctime.string(from: date)) != date { mismatches.append(asctime.string(from: date)) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
