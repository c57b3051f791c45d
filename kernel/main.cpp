// ukube: a Kubernetes-compatible node in one daemon. Everything, the command line
// included, lives in libukube-core.so.
#include "kernel/daemon/command_line.h"

#ifdef UKUBE_JEMALLOC
// Read by jemalloc before the first allocation. Two arenas suit the few cores a node has;
// the per-thread caches, which carry the speed-up, stay on.
extern "C" const char* malloc_conf;
const char* malloc_conf = "narenas:2";
#endif

int main(int argc, char** argv) {
  return ukube_main(argc, argv);
}
