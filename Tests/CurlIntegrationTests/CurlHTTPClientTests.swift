import Curl
import Foundation
import IntegrationSupport
import Testing

@Suite("CurlHTTPClient against http_sink.py", .timeLimit(.minutes(1)))
struct CurlHTTPClientTests {
    @Test("postJSON delivers body and Content-Type and returns status, headers and body")
    func postJSONRoundTrip() async throws {
        try await withHTTPSink { sink in
            try await sink.setScript(#"[{"status":201,"headers":{"X-Sink":"yes"},"body":"{\"id\":7}"}]"#)
            let client = CurlHTTPClient()
            let json = Array(#"{"reminder":"dentist","at":"2026-01-01T09:00:00Z"}"#.utf8)

            let response = try await client.postJSON(url: sink.baseURL + "/hooks/one", json: json)

            #expect(response.status == 201)
            #expect(response.header("x-sink") == "yes")
            #expect(response.header("X-SINK") == "yes")
            #expect(response.header("Content-Length") == "8")
            #expect(response.body == Array(#"{"id":7}"#.utf8))
            let requests = try await sink.requests()
            try #require(requests.count == 1)
            #expect(requests[0].method == "POST")
            #expect(requests[0].path == "/hooks/one")
            #expect(requests[0].header("Content-Type") == "application/json")
            #expect(requests[0].header("User-Agent") == "case-reminders")
            #expect(requests[0].header("Expect") == nil)
            #expect(requests[0].bodyBytes == json)
        }
    }

    @Test("post sends custom headers and an empty body; get sends a GET")
    func customHeadersAndGet() async throws {
        try await withHTTPSink { sink in
            let client = CurlHTTPClient()
            let posted = try await client.post(
                url: sink.baseURL + "/empty",
                body: [],
                headers: [CurlHeader(name: "X-Signature", value: "sha256=abc")]
            )
            let fetched = try await client.get(url: sink.baseURL + "/health?x=1", headers: [CurlHeader(name: "Accept", value: "text/plain")])

            #expect(posted.status == 200)
            #expect(fetched.status == 200)
            let requests = try await sink.requests()
            try #require(requests.count == 2)
            #expect(requests[0].method == "POST")
            #expect(requests[0].header("X-Signature") == "sha256=abc")
            #expect(requests[0].header("Content-Length") == "0")
            #expect(requests[0].header("Content-Type") == nil)
            #expect(requests[0].bodyBytes.isEmpty)
            #expect(requests[1].method == "GET")
            #expect(requests[1].path == "/health?x=1")
            #expect(requests[1].header("Accept") == "text/plain")
        }
    }

    @Test("a header with a line break is refused before anything is sent")
    func headerInjectionIsRefused() async throws {
        try await withHTTPSink { sink in
            let client = CurlHTTPClient()
            let error = await #expect(throws: CurlError.self) {
                _ = try await client.post(url: sink.baseURL + "/x", body: [], headers: [CurlHeader(name: "X-A", value: "1\r\nX-B: 2")])
            }
            #expect(error?.code == .configuration)
            #expect(error?.isRetriable == false)
            let recorded = try await sink.requests()
            #expect(recorded.isEmpty)
        }
    }

    @Test("20 sequential posts on one client reuse the connection")
    func sequentialPostsReuseConnections() async throws {
        try await withHTTPSink { sink in
            let client = CurlHTTPClient()
            for index in 0..<20 {
                let response = try await client.postJSON(url: sink.baseURL + "/seq", json: Array(#"{"n":\#(index)}"#.utf8))
                #expect(response.status == 200)
            }
            let requests = try await sink.requests()
            #expect(requests.count == 20)
            let connections = Set(requests.map(\.connection))
            let clientPorts = Set(requests.map(\.client_port))
            #expect(connections.count < 20)
            // Sequential requests take the same kept-alive handle; allow one server-side close.
            #expect(connections.count <= 2, "served over \(connections.count) connections")
            #expect(clientPorts.count == connections.count)
        }
    }

    @Test("concurrent requests beyond maxConcurrentRequests wait for a free handle")
    func concurrencyIsBounded() async throws {
        try await withHTTPSink { sink in
            try await sink.setScript(String(repeating: #"{"status":200,"delay":0.2},"#, count: 6).dropLast().description.wrappedInBrackets)
            var configuration = CurlHTTPClientConfiguration()
            configuration.maxConcurrentRequests = 2
            let client = CurlHTTPClient(configuration: configuration)

            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask { try await client.get(url: sink.baseURL + "/c/\(index)").status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            #expect(statuses == Array(repeating: 200, count: 6))
            let requests = try await sink.requests()
            #expect(requests.count == 6)
            #expect(Set(requests.map(\.connection)).count <= 2)
        }
    }

    @Test("non-2xx statuses are returned, not thrown; Retry-After is readable")
    func non2xxIsAResponse() async throws {
        try await withHTTPSink { sink in
            try await sink.setScript(#"[{"status":500},{"status":429,"headers":{"Retry-After":"1"}},{"status":200}]"#)
            let client = CurlHTTPClient()
            let url = sink.baseURL + "/flaky"

            let first = try await client.postJSON(url: url, json: Array("{}".utf8))
            let second = try await client.postJSON(url: url, json: Array("{}".utf8))
            let third = try await client.postJSON(url: url, json: Array("{}".utf8))

            #expect(first.status == 500)
            #expect(second.status == 429)
            #expect(second.header("retry-after") == "1")
            #expect(third.status == 200)
            #expect(third.header("Retry-After") == nil)
        }
    }

    @Test("a port with nothing listening gives a retriable transport error")
    func connectionRefusedIsRetriable() async throws {
        let port = try unusedLoopbackPort()
        let client = CurlHTTPClient()
        let error = await #expect(throws: CurlError.self) {
            _ = try await client.postJSON(url: "http://127.0.0.1:\(port)/x", json: Array("{}".utf8))
        }
        #expect(error?.code == .transport)
        #expect(error?.isRetriable == true)
        #expect(error?.curlCode == 7)
    }

    @Test("a server slower than the time-out gives a retriable .timeout error")
    func slowServerTimesOut() async throws {
        try await withHTTPSink { sink in
            // A delay far beyond the time-out, so the bound below has room on a loaded machine.
            try await sink.setScript(#"[{"status":200,"delay":30}]"#)
            var configuration = CurlHTTPClientConfiguration()
            configuration.timeout = .milliseconds(500)
            let client = CurlHTTPClient(configuration: configuration)
            let started = ContinuousClock.now

            let error = await #expect(throws: CurlError.self) {
                _ = try await client.postJSON(url: sink.baseURL + "/slow", json: Array("{}".utf8))
            }

            #expect(error?.code == .timeout)
            #expect(error?.isRetriable == true)
            #expect(ContinuousClock.now - started < .seconds(15))
        }
    }

    @Test("cancelling the task aborts a blocked request")
    func cancellationAbortsTransfer() async throws {
        try await withHTTPSink { sink in
            try await sink.setScript(#"[{"status":200,"delay":30}]"#)
            let client = CurlHTTPClient()
            let started = ContinuousClock.now
            let request = Task { try await client.get(url: sink.baseURL + "/hang") }
            // Cancel only once the request is in flight at the sink.
            let deadline = ContinuousClock.now + .seconds(5)
            while try await sink.requests().isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            request.cancel()

            let result = await request.result
            #expect(throws: CancellationError.self) { try result.get() }
            // Long before the server's 30 s answer.
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }
}

extension String {
    var wrappedInBrackets: String { "[" + self + "]" }
}
