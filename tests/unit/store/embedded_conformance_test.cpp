// Runs the store conformance suite against the embedded backend, with real fsync.
#include "kernel/store/embedded_store.h"
#include "ukube/testing/store_conformance.h"

namespace ukube::store::conformance {
namespace {

std::unique_ptr<Store> make_embedded(const std::filesystem::path& dir, EventSink* sink) {
  EmbeddedStoreOptions options;
  options.data_dir = dir;
  options.sink = sink;
  return EmbeddedStore::open(std::move(options));
}

INSTANTIATE_TEST_SUITE_P(Embedded, StoreConformance, ::testing::Values(Backend{"embedded", make_embedded}),
                         backend_name);

}  // namespace
}  // namespace ukube::store::conformance
