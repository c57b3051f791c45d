#include "certificate_rotation.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ukube::apiserver {

CertificateRotation::CertificateRotation(std::filesystem::path dir, std::vector<std::string> extra_names,
                                         std::chrono::seconds period, std::shared_ptr<spdlog::logger> log,
                                         OnReissue on_reissue)
    : dir_(std::move(dir)),
      extra_names_(std::move(extra_names)),
      period_(period),
      log_(std::move(log)),
      on_reissue_(std::move(on_reissue)) {
  on_reissue_(check());
  thread_ = std::thread([this] { run(); });
}

CertificateRotation::~CertificateRotation() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

pki::ClusterPki CertificateRotation::check() {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    names = extra_names_;
  }
  return pki::ensure_cluster_pki(dir_, {.extra_names = names});
}

void CertificateRotation::add_names(const std::vector<std::string>& names) {
  {
    std::lock_guard lock(mu_);
    for (const auto& n : names)
      if (std::find(extra_names_.begin(), extra_names_.end(), n) == extra_names_.end())
        extra_names_.push_back(n);
  }
  std::lock_guard serial(checking_);
  pki::ClusterPki checked = check();
  if (!checked.reissued.empty()) on_reissue_(checked);
}

void CertificateRotation::run() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    try {
      std::lock_guard serial(checking_);
      pki::ClusterPki checked = check();
      if (!checked.reissued.empty()) on_reissue_(checked);
    } catch (const std::exception& e) {
      // The certificates in use stay valid for months past the renewal point; keep
      // serving them and say loudly what needs fixing.
      log_->error("cannot renew the certificates in {}: {}", dir_.string(), e.what());
    }
    lock.lock();
  }
}

}  // namespace ukube::apiserver
