#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

// Files, trees and archives for the image store's tests, made with the system's tools.
namespace ukube::images::testing {

namespace fs = std::filesystem;

inline void write_file(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

inline std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a shell command; a test failure when it fails.
inline void sh(const std::string& command) {
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

inline std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

// A tar of `dir`'s contents (entries "./...") at `out`, gzip-compressed when `gzip`.
inline void tar_of(const fs::path& dir, const fs::path& out, bool gzip = false) {
  sh("tar --numeric-owner --owner=0 --group=0 -C " + quoted(dir) + (gzip ? " -czf " : " -cf ") + quoted(out) +
     " .");
}

// A tar of just `paths` under `dir` (no entries for their parent folders).
inline void tar_paths(const fs::path& dir, const fs::path& out, const std::string& paths) {
  sh("tar --numeric-owner --owner=0 --group=0 -C " + quoted(dir) + " -cf " + quoted(out) + " " + paths);
}

// "sha256:<hex>" of a file.
inline std::string sha256_of(const fs::path& file) {
  std::string command = "sha256sum " + quoted(file);
  FILE* p = ::popen(command.c_str(), "r");
  char hex[65] = {};
  if (!p || std::fread(hex, 1, 64, p) != 64) ADD_FAILURE() << command;
  if (p) ::pclose(p);
  return std::string("sha256:") + hex;
}

}  // namespace ukube::images::testing
