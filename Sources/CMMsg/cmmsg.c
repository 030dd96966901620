#define _GNU_SOURCE
#include "cmmsg.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

/// Room for one packet-info control message of either family.
#define CMMSG_CONTROL_SIZE (CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)))

int cmmsg_enable_local_addresses(int fd, int family) {
    int on = 1;
    if (family == AF_INET6) {
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) != 0) return -1;
        // A dual-stack socket's IPv4 datagrams report through IPV6_PKTINFO as mapped addresses.
        return 0;
    }
    return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
}

int cmmsg_has_pending(int fd) {
    int size = 0;
    // FIONREAD on a UDP socket: the size of the first queued datagram, 0 when none.
    return ioctl(fd, FIONREAD, &size) == 0 && size > 0;
}

static void read_local_address(struct msghdr *header, cmmsg_local_address *local) {
    local->family = 0;
    for (struct cmsghdr *control = CMSG_FIRSTHDR(header); control != NULL; control = CMSG_NXTHDR(header, control)) {
        if (control->cmsg_level == IPPROTO_IP && control->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo info;
            memcpy(&info, CMSG_DATA(control), sizeof(info));
            local->family = AF_INET;
            local->interface_index = (unsigned int)info.ipi_ifindex;
            // The local address the datagram reached: the header's destination when that is one
            // of ours, the interface's address for a broadcast (never a source of its own).
            memcpy(local->address, &info.ipi_spec_dst, 4);
            return;
        }
        if (control->cmsg_level == IPPROTO_IPV6 && control->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo info;
            memcpy(&info, CMSG_DATA(control), sizeof(info));
            local->family = AF_INET6;
            local->interface_index = info.ipi6_ifindex;
            memcpy(local->address, &info.ipi6_addr, 16);
            return;
        }
    }
}

/// Writes the control message that sends from `local` into `buffer`; returns its length (0: none).
static size_t write_local_address(const cmmsg_local_address *local, unsigned char *buffer, struct msghdr *header) {
    if (local->family == 0) return 0;
    memset(buffer, 0, CMMSG_CONTROL_SIZE);
    header->msg_control = buffer;
    header->msg_controllen = CMMSG_CONTROL_SIZE;
    struct cmsghdr *control = CMSG_FIRSTHDR(header);
    if (local->family == AF_INET) {
        struct in_pktinfo info;
        memset(&info, 0, sizeof(info));
        // The source address only: the routing table picks the interface, as for any reply.
        memcpy(&info.ipi_spec_dst, local->address, 4);
        control->cmsg_level = IPPROTO_IP;
        control->cmsg_type = IP_PKTINFO;
        control->cmsg_len = CMSG_LEN(sizeof(info));
        memcpy(CMSG_DATA(control), &info, sizeof(info));
        header->msg_controllen = CMSG_SPACE(sizeof(info));
    } else {
        struct in6_pktinfo info;
        memset(&info, 0, sizeof(info));
        memcpy(&info.ipi6_addr, local->address, 16);
        // A link-local address means something only on its interface.
        if (IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr)) info.ipi6_ifindex = local->interface_index;
        control->cmsg_level = IPPROTO_IPV6;
        control->cmsg_type = IPV6_PKTINFO;
        control->cmsg_len = CMSG_LEN(sizeof(info));
        memcpy(CMSG_DATA(control), &info, sizeof(info));
        header->msg_controllen = CMSG_SPACE(sizeof(info));
    }
    return header->msg_controllen;
}

int cmmsg_receive(int fd, unsigned char *buffers, size_t buffer_size, unsigned int *lengths,
                  struct sockaddr_storage *addresses, socklen_t *address_lengths, cmmsg_local_address *locals,
                  unsigned int count) {
    struct mmsghdr messages[CMMSG_MAX_BATCH];
    struct iovec vectors[CMMSG_MAX_BATCH];
    // Aligned for struct cmsghdr.
    _Alignas(struct cmsghdr) unsigned char controls[CMMSG_MAX_BATCH][CMMSG_CONTROL_SIZE];
    if (count > CMMSG_MAX_BATCH) count = CMMSG_MAX_BATCH;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = buffers + i * buffer_size;
        vectors[i].iov_len = buffer_size;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_name = &addresses[i];
        messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        if (locals != NULL) {
            messages[i].msg_hdr.msg_control = controls[i];
            messages[i].msg_hdr.msg_controllen = CMMSG_CONTROL_SIZE;
        }
    }
    int received = recvmmsg(fd, messages, count, MSG_WAITFORONE, NULL);
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
        return -1;
    }
    for (int i = 0; i < received; i++) {
        // A datagram larger than the buffer arrives cut; MSG_TRUNC tells, and it is dropped.
        lengths[i] = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) ? 0 : messages[i].msg_len;
        address_lengths[i] = messages[i].msg_hdr.msg_namelen;
        if (locals != NULL) read_local_address(&messages[i].msg_hdr, &locals[i]);
    }
    return received;
}

int cmmsg_send(int fd, unsigned char *buffers, size_t buffer_size, const unsigned int *lengths,
               struct sockaddr_storage *addresses, const socklen_t *address_lengths,
               const cmmsg_local_address *locals, unsigned int count) {
    struct mmsghdr messages[CMMSG_MAX_BATCH];
    struct iovec vectors[CMMSG_MAX_BATCH];
    _Alignas(struct cmsghdr) unsigned char controls[CMMSG_MAX_BATCH][CMMSG_CONTROL_SIZE];
    if (count > CMMSG_MAX_BATCH) count = CMMSG_MAX_BATCH;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = buffers + i * buffer_size;
        vectors[i].iov_len = lengths[i];
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_name = &addresses[i];
        messages[i].msg_hdr.msg_namelen = address_lengths[i];
        if (locals != NULL) write_local_address(&locals[i], controls[i], &messages[i].msg_hdr);
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

int cmmsg_send_one(int fd, const unsigned char *buffer, size_t length, const struct sockaddr_storage *address,
                   socklen_t address_length, const cmmsg_local_address *local) {
    struct iovec vector = {.iov_base = (void *)buffer, .iov_len = length};
    struct msghdr header;
    _Alignas(struct cmsghdr) unsigned char control[CMMSG_CONTROL_SIZE];
    memset(&header, 0, sizeof(header));
    header.msg_name = (void *)address;
    header.msg_namelen = address_length;
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    if (local != NULL) write_local_address(local, control, &header);
    return sendmsg(fd, &header, MSG_DONTWAIT) < 0 ? -1 : 0;
}
