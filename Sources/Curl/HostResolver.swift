import Dispatch
import Foundation

/// Resolves host names with the system resolver (`getaddrinfo`), off Swift's
/// cooperative pool: the call blocks, so it runs on a dispatch queue.
public enum HostResolver {
    private static let queue = DispatchQueue(label: "host-resolver", attributes: .concurrent)

    /// The addresses (4 or 16 bytes each, network order, without duplicates) that
    /// `host` resolves to for TCP.
    /// - Throws: `CurlError` (`.transport`, retriable) when the name does not resolve.
    public static func addresses(of host: String) async throws -> [[UInt8]] {
        try await queue.runBlocking { try resolve(host) }
    }

    private static func resolve(_ host: String) throws -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == 0 ? "no addresses" : String(cString: gai_strerror(status))
            throw CurlError(code: .transport, message: "cannot resolve \(host): \(reason)", isRetriable: true)
        }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let entry = node {
            if let socketAddress = entry.pointee.ai_addr {
                var bytes: [UInt8]?
                if entry.pointee.ai_family == AF_INET {
                    bytes = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                    }
                } else if entry.pointee.ai_family == AF_INET6 {
                    bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                }
                if let bytes, !addresses.contains(bytes) { addresses.append(bytes) }
            }
            node = entry.pointee.ai_next
        }
        return addresses
    }
}
