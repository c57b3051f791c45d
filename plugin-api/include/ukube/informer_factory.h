#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ukube/client.h"
#include "ukube/export.h"
#include "ukube/informer.h"

// Shared informers (DESIGN.md §6): one cache and one list + watch per resource,
// namespace and selector in a process, whoever asks. In the daemon, ctx.informers() is
// the kernel's factory, reading as the kernel's loopback identity; plugins write with
// their own clients. Users keep what add_handlers()/add_indexer() return and drop it when
// they stop, so no handler outlives the plugin library that holds its code.
namespace ukube {

class UKUBE_API InformerFactory {
 public:
  virtual ~InformerFactory();
  // The running, shared informer for (resource, namespace, label and field selector):
  // every caller with the same key gets the same one. Only the selectors of `selectors`
  // count; paging and revision options are the informer's own business.
  virtual std::shared_ptr<Informer> informer(const GroupVersionResource& gvr, std::string_view ns = {},
                                             const ListOptions& selectors = {}) = 0;
};

// The factory over one Client: the kernel's, or a remote one for agents on other machines.
// Its informers run on a fixed pool of `threads`, however many there are.
class UKUBE_API SharedInformerFactory final : public InformerFactory {
 public:
  explicit SharedInformerFactory(std::shared_ptr<Client> client, size_t threads = 2);
  ~SharedInformerFactory() override;  // shutdown()
  SharedInformerFactory(const SharedInformerFactory&) = delete;
  SharedInformerFactory& operator=(const SharedInformerFactory&) = delete;

  std::shared_ptr<Informer> informer(const GroupVersionResource& gvr, std::string_view ns = {},
                                     const ListOptions& selectors = {}) override;
  // Stops every informer and the pool. Informers asked for afterwards are refused.
  void shutdown();
  size_t informer_count() const;

 private:
  std::shared_ptr<Client> client_;
  std::unique_ptr<detail::InformerPool> pool_;
  mutable std::mutex mutex_;
  bool shut_down_ = false;
  std::map<std::string, std::shared_ptr<Informer>> informers_;  // by key
};

}  // namespace ukube
