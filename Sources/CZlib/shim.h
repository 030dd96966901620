// zlib (Debian's zlib1g-dev): the manifest tree keeps the last good bytes of files it has set
// aside compressed.
#include <zlib.h>
