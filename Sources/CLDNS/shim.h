// A narrow view of libldns: the wire, record and name APIs only.
// stdbool.h must come first, or ldns/common.h defines bool as signed char (imported as Int8).
// The order matters: host2wire.h needs rbtree.h. ldns/ldns.h would pull in all of OpenSSL.
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <ldns/common.h>
#include <ldns/error.h>
#include <ldns/util.h>
#include <ldns/buffer.h>
#include <ldns/rbtree.h>
#include <ldns/packet.h>
#include <ldns/wire2host.h>
#include <ldns/host2wire.h>
#include <ldns/rr.h>
#include <ldns/dname.h>
#include <ldns/rdata.h>
#include <ldns/str2host.h>

// From ldns/host2str.h, declared here because that header pulls in resolver.h and OpenSSL.
char *ldns_rr2str(const ldns_rr *rr);
char *ldns_rdf2str(const ldns_rdf *rdf);
char *ldns_pkt2str(const ldns_pkt *pkt);
