#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// A listener that could not be opened, said in one line with the reason.
package struct BindError: Error, CustomStringConvertible {
    package var address: ListenAddress
    package var transport: String
    package var underlying: any Error

    package init(address: ListenAddress, transport: String, underlying: any Error) {
        self.address = address
        self.transport = transport
        self.underlying = underlying
    }

    package var description: String {
        let reason: String
        if let error = self.underlying as? IOError {
            switch error.errnoCode {
            case EADDRINUSE: reason = "the address is already in use"
            case EACCES, EPERM:
                reason =
                    self.address.port < 1024
                    ? "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)" : "permission denied"
            case EADDRNOTAVAIL: reason = "the address is not on this machine"
            default: reason = String(cString: strerror(error.errnoCode))
            }
        } else {
            reason = "\(self.underlying)"
        }
        return "cannot listen on \(self.transport) \(self.address): \(reason)"
    }
}
