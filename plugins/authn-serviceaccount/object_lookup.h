#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ukube/store.h"
#include "ukube/types.h"

// What the token issuer and the authenticator need to know about the objects a token
// names: whether they still exist, with which uid, and whether they are being deleted.
// Read straight from the store, since the authenticator runs on every request and the
// answer must follow deletions at once; parsed objects are cached per revision.
namespace ukube::authn::sa {

enum class ObjectKind { ServiceAccount, Pod, Secret, Node };

struct LiveObject {
  std::string uid;
  std::optional<int64_t> deletion;  // metadata.deletionTimestamp, seconds since the epoch
  std::string service_account;      // pods: spec.serviceAccountName
  std::string node_name;            // pods: spec.nodeName
};

class ObjectLookup {
 public:
  virtual ~ObjectLookup() = default;
  // nullopt when the object does not exist. `ns` is ignored for nodes.
  virtual std::optional<LiveObject> find(ObjectKind kind, std::string_view ns, std::string_view name) = 0;
};

// "2024-05-01T10:00:00Z" (what the kernel writes) to seconds since the epoch.
std::optional<int64_t> parse_utc_timestamp(std::string_view text);

LiveObject live_object_of(const std::string& encoded_json);

class StoreLookup final : public ObjectLookup {
 public:
  // Throws std::runtime_error naming a type the registry lacks (the built-in types plugin
  // registers them all).
  StoreLookup(store::Store& store, const TypeRegistry& types);
  std::optional<LiveObject> find(ObjectKind kind, std::string_view ns, std::string_view name) override;

 private:
  struct Cached {
    int64_t mod_revision = 0;
    LiveObject object;
  };
  store::Store& store_;
  std::string prefixes_[4];
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace ukube::authn::sa
