#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The channel protocol of `kubectl exec`, `attach` and `cp` over WebSocket
// (k8s.io/apimachinery's remotecommand): every binary message starts with its channel's
// byte. Version 4 carries the exit status as a metav1.Status on the error channel;
// version 5 (kubectl 1.30+) adds the close signal, with which a client ends stdin.
namespace ukube::kubelet::remote {

enum Channel : uint8_t { kStdin = 0, kStdout = 1, kStderr = 2, kError = 3, kResize = 4, kClose = 255 };

inline constexpr std::string_view kV5 = "v5.channel.k8s.io";
inline constexpr std::string_view kV4 = "v4.channel.k8s.io";

std::string frame(Channel channel, std::string_view data);

// The error channel's last word: Success for 0, else upstream's NonZeroExitCode Status
// with the code as the ExitCode cause, which kubectl turns into its own exit code.
std::string exit_status(int exit_code);
// A Failure Status for an exec that could not run (no such command, container gone).
std::string failure_status(const std::string& message);

// A resize message's {"Width":W,"Height":H}; nullopt when malformed.
std::optional<std::pair<uint16_t, uint16_t>> parse_resize(std::string_view json);

// What the exec and attach endpoints take: command=..., stdin, stdout, stderr, tty.
struct StreamOptions {
  std::vector<std::string> command;
  bool stdin_ = false;
  bool stdout_ = true;
  bool stderr_ = true;
  bool tty = false;
};
// Upstream's query: repeated `command`, and the streams as "1"/"true" (input/output/error
// in older clients' spelling too). Throws std::invalid_argument saying what is wrong.
StreamOptions parse_stream_options(const std::vector<std::pair<std::string, std::string>>& query, bool exec);

}  // namespace ukube::kubelet::remote
