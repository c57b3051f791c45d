#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ukube/pki.h"

namespace spdlog {
class logger;
}

// Keeps the node's certificates fresh while the server runs: checks the PKI folder now
// and then every `period`, re-issuing leaf certificates near expiry, and tells the owner
// which ones changed so it can serve or hand out the new ones.
namespace ukube::apiserver {

class CertificateRotation {
 public:
  using OnReissue = std::function<void(const pki::ClusterPki&)>;

  // Checks once, synchronously (so start-up fails on an unusable PKI), then starts the
  // background checks. `on_reissue` runs after the first check too.
  CertificateRotation(std::filesystem::path dir, std::vector<std::string> extra_names,
                      std::chrono::seconds period, std::shared_ptr<spdlog::logger> log, OnReissue on_reissue);
  ~CertificateRotation();
  CertificateRotation(const CertificateRotation&) = delete;
  CertificateRotation& operator=(const CertificateRotation&) = delete;

  // The serving certificate names these too from now on: checked (and reissued when it
  // does not name them) before this returns; throws when that fails.
  void add_names(const std::vector<std::string>& names);

 private:
  void run();
  pki::ClusterPki check();

  std::filesystem::path dir_;
  std::vector<std::string> extra_names_;
  std::chrono::seconds period_;
  std::shared_ptr<spdlog::logger> log_;
  OnReissue on_reissue_;
  std::mutex mu_;        // extra_names_, stopping_
  std::mutex checking_;  // one check (and reissue) at a time
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ukube::apiserver
