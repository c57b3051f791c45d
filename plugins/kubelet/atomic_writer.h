#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

// How configMap, secret, downwardAPI and projected volumes change under a running
// container without it ever reading half an update (upstream's atomic writer, in
// concept): each version of the files lives in a hidden timestamped folder, `..data`
// points at the current one, and every visible name is a symlink through `..data`, so one
// rename swaps every file at once.
namespace ukube::kubelet {

struct ProjectedFile {
  std::string data;
  uint32_t mode = 0644;
};

// Relative path (may contain '/') → file.
using FileSet = std::map<std::string, ProjectedFile>;

// Makes `dir` hold exactly `files`. Returns false, touching nothing, when it already
// does. Throws std::runtime_error naming what failed; a path that climbs out ("..") is refused.
bool write_atomically(const std::filesystem::path& dir, const FileSet& files);

}  // namespace ukube::kubelet
