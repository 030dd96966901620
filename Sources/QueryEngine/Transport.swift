/// How a query arrived: it decides the size limit of the reply and whether zone transfers are allowed.
package enum Transport: Sendable, Hashable {
    case udp
    case tcp
}
