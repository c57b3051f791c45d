#include "ukube/informer_factory.h"

#include <stdexcept>

#include "informer_state.h"

namespace ukube {
namespace {

// Fields that cannot occur in a resource name or selector keep the parts apart.
std::string informer_key(const GroupVersionResource& gvr, std::string_view ns, const ListOptions& selectors) {
  std::string key = gvr.to_string();
  for (std::string_view part :
       {ns, std::string_view(selectors.label_selector), std::string_view(selectors.field_selector)}) {
    key.push_back('\n');
    key.append(part);
  }
  return key;
}

}  // namespace

InformerFactory::~InformerFactory() = default;

SharedInformerFactory::SharedInformerFactory(std::shared_ptr<Client> client, size_t threads)
    : client_(std::move(client)), pool_(std::make_unique<detail::InformerPool>(threads, "ukube-informers")) {}

SharedInformerFactory::~SharedInformerFactory() {
  shutdown();
}

std::shared_ptr<Informer> SharedInformerFactory::informer(const GroupVersionResource& gvr,
                                                          std::string_view ns, const ListOptions& selectors) {
  std::string key = informer_key(gvr, ns, selectors);
  std::lock_guard lock(mutex_);
  if (shut_down_)
    throw std::logic_error("the shared informer factory has shut down; no informer for " + gvr.to_string());
  auto& informer = informers_[key];
  if (!informer) {
    ListOptions only_selectors;
    only_selectors.label_selector = selectors.label_selector;
    only_selectors.field_selector = selectors.field_selector;
    informer.reset(new Informer(client_, gvr, std::string(ns), std::move(only_selectors), *pool_));
  }
  return informer;
}

void SharedInformerFactory::shutdown() {
  std::map<std::string, std::shared_ptr<Informer>> informers;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    informers.swap(informers_);
  }
  for (auto& [key, informer] : informers) informer->state_->halt();
  pool_->shutdown();
}

size_t SharedInformerFactory::informer_count() const {
  std::lock_guard lock(mutex_);
  return informers_.size();
}

}  // namespace ukube
