#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ukube/runtime/cri_log.h"

// The CRI's container log format, as the kubelet reads it for `kubectl logs`: one record
// per line, "<RFC 3339 timestamp with nanoseconds> <stream> <tag> <text>", tag F for a full
// line (P for a partial one, which the fake never writes).
namespace ukube::runtime::fake {

// Appends `lines` to `path` as full stdout records stamped `unix_ns`, creating the file and
// its folder. Throws std::runtime_error, naming the file, when it cannot be written.
void append_stdout_lines(const std::filesystem::path& path, const std::vector<std::string>& lines,
                         int64_t unix_ns);

}  // namespace ukube::runtime::fake
