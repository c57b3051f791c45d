#include "kernel/pipeline/local_client.h"

#include <boost/json.hpp>

#include "kernel/pipeline/object_codec.h"

namespace ukube::pipeline {
namespace {

ObjectPtr decode_object(const store::Bytes& bytes, LocalClient::Reads reads) {
  boost::json::object object = parse_object(*bytes);
  if (reads == LocalClient::Reads::WithoutManagedFields)
    if (auto* meta = object.if_contains("metadata"); meta && meta->is_object())
      meta->get_object().erase("managedFields");
  return std::make_shared<const boost::json::object>(std::move(object));
}

ObjectPtr written(const store::Bytes& bytes, const WriteOptions& options) {
  return options.return_object && bytes ? decode_object(bytes, LocalClient::Reads::Whole) : nullptr;
}

class LocalWatchStream final : public WatchStream {
 public:
  LocalWatchStream(std::unique_ptr<RawWatch> raw, LocalClient::Reads reads)
      : raw_(std::move(raw)), reads_(reads) {}
  std::optional<WatchEvent> next(std::chrono::milliseconds timeout) override {
    auto e = raw_->next(timeout);
    if (!e) return std::nullopt;
    return WatchEvent{e->type, decode(e->object)};
  }
  bool done() const override { return raw_->done(); }
  void stop() override { raw_->stop(); }
  std::vector<WatchEvent> poll(size_t max_events) override {
    std::vector<WatchEvent> events;
    for (auto& e : raw_->poll(max_events)) events.push_back(WatchEvent{e.type, decode(e.object)});
    return events;
  }
  // The watch bus wakes us: shared informers need no thread of their own to wait.
  bool on_ready(std::function<void()> notify) override {
    raw_->on_ready(std::move(notify));
    return true;
  }

 private:
  ObjectPtr decode(const store::Bytes& bytes) const { return decode_object(bytes, reads_); }

  std::unique_ptr<RawWatch> raw_;
  LocalClient::Reads reads_;
};

}  // namespace

LocalClient::LocalClient(RequestPipeline& pipeline, UserInfo user, Reads reads)
    : pipeline_(pipeline), user_(std::move(user)), reads_(reads) {}

ObjectPtr LocalClient::decode(const store::Bytes& bytes) const {
  return decode_object(bytes, reads_);
}

ObjectPtr LocalClient::get(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                           const GetOptions& options, std::string_view subresource) {
  return decode(pipeline_.get(user_, gvr, ns, name, options, subresource));
}

ObjectList LocalClient::list(const GroupVersionResource& gvr, std::string_view ns,
                             const ListOptions& options) {
  RawList raw = pipeline_.list(user_, gvr, ns, options);
  ObjectList out;
  out.items.reserve(raw.items.size());
  for (const auto& item : raw.items) out.items.push_back(decode(item));
  out.resource_version = std::to_string(raw.revision);
  out.continue_token = std::move(raw.continue_token);
  out.remaining_item_count = raw.remaining_item_count;
  return out;
}

std::unique_ptr<WatchStream> LocalClient::watch(const GroupVersionResource& gvr, std::string_view ns,
                                                const ListOptions& options) {
  return std::make_unique<LocalWatchStream>(pipeline_.watch(user_, gvr, ns, options), reads_);
}

ObjectPtr LocalClient::create(const GroupVersionResource& gvr, std::string_view ns,
                              const boost::json::object& object, const WriteOptions& options,
                              std::string_view subresource, std::string_view name) {
  if (!subresource.empty())
    return written(pipeline_.create_subresource(user_, gvr, ns, name, subresource, object, options), options);
  return written(pipeline_.create(user_, gvr, ns, object, options), options);
}

ObjectPtr LocalClient::update(const GroupVersionResource& gvr, std::string_view ns,
                              const boost::json::object& object, const WriteOptions& options,
                              std::string_view subresource) {
  return written(pipeline_.update(user_, gvr, ns, {}, object, options, subresource), options);
}

ObjectPtr LocalClient::patch(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                             PatchType type, std::string_view patch, const WriteOptions& options,
                             std::string_view subresource) {
  return written(pipeline_.patch(user_, gvr, ns, name, type, patch, options, subresource), options);
}

ObjectPtr LocalClient::remove(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                              const DeleteOptions& options) {
  return decode(pipeline_.remove(user_, gvr, ns, name, options));
}

}  // namespace ukube::pipeline
