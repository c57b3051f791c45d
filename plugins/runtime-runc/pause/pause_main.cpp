// ukube-pause: the process holding a pod's namespaces (network, IPC, UTS) for runtime-runc.
// It is the sandbox container's only process, linked statically so that it runs from a root
// filesystem holding nothing else. It sleeps until told to stop, and reaps the zombies of a
// shared pid namespace, whose init it is.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

void stop(int) {
  ::_exit(0);
}

void reap(int) {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

}  // namespace

int main() {
  struct sigaction action {};
  action.sa_handler = stop;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  action.sa_handler = reap;
  action.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  ::sigaction(SIGCHLD, &action, nullptr);
  for (;;) ::pause();
}
