// Batched UDP receive and send (recvmmsg/sendmmsg), which Swift's Glibc module does not export.
// The mmsghdr and iovec arrays live on the C side; Swift passes flat buffers.
#ifndef CMMSG_H
#define CMMSG_H

#include <stddef.h>
#include <sys/socket.h>

/// The most datagrams moved per call.
#define CMMSG_MAX_BATCH 64

/// Receives up to `count` datagrams into `buffers` (each `buffer_size` bytes), their lengths
/// into `lengths` and senders into `addresses`. Blocks until at least one arrives or the socket's
/// receive timeout passes. Returns the number received, 0 on timeout, or -1 with errno set.
int cmmsg_receive(int fd, unsigned char *buffers, size_t buffer_size, unsigned int *lengths,
                  struct sockaddr_storage *addresses, socklen_t *address_lengths, unsigned int count);

/// Sends `count` datagrams from `buffers` (each at `buffer_size` stride, `lengths` long) to
/// `addresses`. A datagram that cannot be sent is skipped and the rest still go. Returns how
/// many were sent.
int cmmsg_send(int fd, unsigned char *buffers, size_t buffer_size, const unsigned int *lengths,
               struct sockaddr_storage *addresses, const socklen_t *address_lengths, unsigned int count);

#endif
