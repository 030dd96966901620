// IP addresses and CIDR blocks are part of the manifest vocabulary (clusterIP, podIP, CIDR flags).
@_exported import IPAddressing
