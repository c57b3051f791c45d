// The store conformance suite through the encryption decorators, with every key encrypted
// ("*.*"): the decorator must keep every promise of the Store interface (results, refusals,
// revisions, events with previous values, encoder semantics, ordering), not only the paths
// the pipeline uses today.
#include "encryption_test_util.h"
#include "ukube/testing/store_conformance.h"

namespace ukube::store::conformance {
namespace {

// Owns the layers in the order the daemon builds them: sink, backend, decorator.
class EncryptedEmbedded final : public Store {
 public:
  EncryptedEmbedded(const std::filesystem::path& dir, EventSink* sink)
      : encryption_(std::make_shared<ValueEncryption>(parse_encryption_config(
            test_support::encryption_yaml("['*.*']", test_support::aesgcm({{"key1", 'a'}})), "enc.yaml"))),
        decrypting_(*sink, encryption_) {
    EmbeddedStoreOptions options;
    options.data_dir = dir;
    options.sink = &decrypting_;
    inner_ = EmbeddedStore::open(std::move(options));
    outer_ = std::make_unique<EncryptingStore>(*inner_, encryption_);
  }
  ~EncryptedEmbedded() override { inner_->close(); }

  std::optional<KeyValue> get(std::string_view key, int64_t revision) override {
    auto kv = outer_->get(key, revision);
    // Every value the suite reads back was sealed at rest.
    if (kv) {
      EXPECT_TRUE(ValueEncryption::is_encrypted(inner_->get(key, revision)->value)) << key;
    }
    return kv;
  }
  ListResult list(std::string_view prefix, const ListOptions& options) override {
    return outer_->list(prefix, options);
  }
  void submit(WriteRequest request, WriteCallback done) override {
    outer_->submit(std::move(request), std::move(done));
  }
  int64_t current_revision() override { return outer_->current_revision(); }
  int64_t compacted_revision() override { return outer_->compacted_revision(); }
  void compact(int64_t revision) override { outer_->compact(revision); }

 private:
  std::shared_ptr<const ValueEncryption> encryption_;
  DecryptingSink decrypting_;
  std::unique_ptr<EmbeddedStore> inner_;
  std::unique_ptr<EncryptingStore> outer_;
};

std::unique_ptr<Store> make_encrypted(const std::filesystem::path& dir, EventSink* sink) {
  return std::make_unique<EncryptedEmbedded>(dir, sink);
}

INSTANTIATE_TEST_SUITE_P(Encrypted, StoreConformance, ::testing::Values(Backend{"encrypted", make_encrypted}),
                         backend_name);

}  // namespace
}  // namespace ukube::store::conformance
