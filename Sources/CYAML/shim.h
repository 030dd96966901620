// libyaml's event API (Debian libyaml-dev): manifests are mapped from parser events straight
// into ManifestNode trees, with line and column of every node.
#include <yaml.h>
