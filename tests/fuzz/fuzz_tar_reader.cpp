// Image archives and layers as registries and users hand them over: reading any bytes as a
// tar (plain, and as gzip) ends with entries or an ArchiveError, never a crash, a hang or
// another exception.
#include <cstdint>
#include <string>

#include "ukube/images/tar_reader.h"

namespace {

void read_all(std::unique_ptr<ukube::images::ByteSource> source) {
  try {
    ukube::images::TarReader reader(std::move(source), "fuzz input");
    char buffer[4096];
    for (int entries = 0; entries < 10000 && reader.next(); ++entries)
      while (reader.read(buffer, sizeof buffer) > 0) {
      }
  } catch (const ukube::images::ArchiveError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  read_all(ukube::images::memory_source(bytes));
  read_all(ukube::images::gunzip(ukube::images::memory_source(bytes), "fuzz input"));
  return 0;
}
