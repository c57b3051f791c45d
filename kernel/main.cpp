// ukube: a Kubernetes-compatible node in one daemon. Everything, the command line
// included, lives in libukube-core.so.
#include "kernel/daemon/command_line.h"

int main(int argc, char** argv) {
  return ukube_main(argc, argv);
}
