#define _GNU_SOURCE
#include "cmmsg.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

int cmmsg_receive(int fd, unsigned char *buffers, size_t buffer_size, unsigned int *lengths,
                  struct sockaddr_storage *addresses, socklen_t *address_lengths, unsigned int count) {
    struct mmsghdr messages[CMMSG_MAX_BATCH];
    struct iovec vectors[CMMSG_MAX_BATCH];
    if (count > CMMSG_MAX_BATCH) count = CMMSG_MAX_BATCH;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = buffers + i * buffer_size;
        vectors[i].iov_len = buffer_size;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_name = &addresses[i];
        messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    }
    int received = recvmmsg(fd, messages, count, MSG_WAITFORONE, NULL);
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;
    }
    for (int i = 0; i < received; i++) {
        // A datagram larger than the buffer arrives cut; MSG_TRUNC tells, and it is dropped.
        lengths[i] = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) ? 0 : messages[i].msg_len;
        address_lengths[i] = messages[i].msg_hdr.msg_namelen;
    }
    return received;
}

int cmmsg_send(int fd, unsigned char *buffers, size_t buffer_size, const unsigned int *lengths,
               struct sockaddr_storage *addresses, const socklen_t *address_lengths, unsigned int count) {
    struct mmsghdr messages[CMMSG_MAX_BATCH];
    struct iovec vectors[CMMSG_MAX_BATCH];
    if (count > CMMSG_MAX_BATCH) count = CMMSG_MAX_BATCH;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = buffers + i * buffer_size;
        vectors[i].iov_len = lengths[i];
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_name = &addresses[i];
        messages[i].msg_hdr.msg_namelen = address_lengths[i];
    }
    // sendmmsg stops at the first message it cannot send and reports the error only when that
    // is the first one: that message (a bad destination such as port 0, or no buffer space) is
    // skipped, and the rest of the batch still goes.
    unsigned int next = 0;
    unsigned int delivered = 0;
    while (next < count) {
        int result = sendmmsg(fd, messages + next, count - next, 0);
        if (result < 0) {
            if (errno == EINTR) continue;
            next += 1;
            continue;
        }
        next += (unsigned int)result;
        delivered += (unsigned int)result;
    }
    return (int)delivered;
}
