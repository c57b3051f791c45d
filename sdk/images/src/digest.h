#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

// SHA-256 digests as OCI writes them ("sha256:<64 hex>").
namespace ukube::images {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t size);
  std::string digest();  // "sha256:<hex>"; once

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string sha256_digest(std::string_view bytes);
// The hex part of a "sha256:<hex>" digest; throws std::invalid_argument for anything else.
std::string digest_hex(std::string_view digest);

}  // namespace ukube::images
