// ukube-pause: the process holding a pod's namespaces (network, IPC, UTS) for runtime-runc,
// which its monitor starts in them as the nobody user, with the sandbox's folder as its
// argument (unused: it tells in `ps` which sandbox a holder is). It sleeps until told to stop
// (and reaps any child, should it ever have one). Static: it depends on no library of the host.
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
