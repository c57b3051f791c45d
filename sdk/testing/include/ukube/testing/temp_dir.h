#pragma once

#include <filesystem>
#include <string>

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
namespace ukube::testing {

class TempDir {
 public:
  // The directory is named ukube-<tag>-XXXXXX. Throws std::runtime_error when it cannot be made.
  explicit TempDir(const std::string& tag = "test");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ukube::testing
