// Batched UDP receive and send (recvmmsg/sendmmsg), which Swift's Glibc module does not export.
// The mmsghdr and iovec arrays live on the C side; Swift passes flat buffers.
#ifndef CMMSG_H
#define CMMSG_H

#include <stddef.h>
#include <sys/socket.h>

/// The most datagrams moved per call.
#define CMMSG_MAX_BATCH 64

/// The local address a datagram was sent to, on a socket bound to a wildcard address: a reply
/// must leave from it, or the client, which sent to that address, takes the reply for a forgery
/// (RFC 1123 §6.1.3.5 has a server on a multihomed host answer from the address asked).
typedef struct {
    /// 0 when unknown (the reply leaves from the address the kernel chooses), AF_INET or AF_INET6.
    int family;
    /// The interface it came in on (needed for IPv6 link-local addresses).
    unsigned int interface_index;
    /// 4 bytes for AF_INET, 16 for AF_INET6 (an IPv4-mapped address on a dual-stack socket).
    unsigned char address[16];
} cmmsg_local_address;

/// Asks the kernel to report, with each datagram, the address it was sent to (IP_PKTINFO, and
/// IPV6_RECVPKTINFO on an IPv6 socket). Returns 0, or -1 with errno set.
int cmmsg_enable_local_addresses(int fd, int family);

/// Whether a datagram waits in the socket's receive queue (1) or not (0): its worker, blocked in
/// recvmmsg, has been woken and not yet run.
int cmmsg_has_pending(int fd);

/// Receives up to `count` datagrams into `buffers` (each `buffer_size` bytes), their lengths
/// into `lengths` and senders into `addresses`; with `locals` (else NULL), the address each was
/// sent to. Blocks until at least one arrives. Returns the number received, 0 when interrupted
/// without data, or -1 with errno set.
int cmmsg_receive(int fd, unsigned char *buffers, size_t buffer_size, unsigned int *lengths,
                  struct sockaddr_storage *addresses, socklen_t *address_lengths, cmmsg_local_address *locals,
                  unsigned int count);

/// Sends `count` datagrams from `buffers` (each at `buffer_size` stride, `lengths` long) to
/// `addresses`, each from its `locals` entry when `locals` is not NULL. A datagram that cannot
/// be sent is skipped and the rest still go. Returns how many were sent.
int cmmsg_send(int fd, unsigned char *buffers, size_t buffer_size, const unsigned int *lengths,
               struct sockaddr_storage *addresses, const socklen_t *address_lengths,
               const cmmsg_local_address *locals, unsigned int count);

/// Sends one datagram without waiting (a full send buffer drops it), from `local` unless NULL:
/// a forwarded answer, written from another thread. Returns 0, or -1 with errno set.
int cmmsg_send_one(int fd, const unsigned char *buffer, size_t length, const struct sockaddr_storage *address,
                   socklen_t address_length, const cmmsg_local_address *local);

#endif
