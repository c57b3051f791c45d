#include "kernel/host/library.h"

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include <boost/dll/shared_library.hpp>

namespace ukube::host {
namespace {

// Every library the host opens stays mapped until the process exits, on purpose:
// Protobuf generated code registers its descriptors in process-wide pools when the
// library loads and cannot be unregistered, so unmapping would leave dangling
// descriptors behind. A hot swap therefore replaces plugin *instances*; re-loading the
// same path reuses the existing mapping. The map is deliberately leaked so that no
// library is closed during static destruction either.
struct OpenLibraries {
  std::mutex mutex;
  std::map<std::filesystem::path, boost::dll::shared_library> by_path;
};

OpenLibraries& open_libraries() {
  static auto* libraries = new OpenLibraries;
  return *libraries;
}

std::string text_or_null(const char* s) {
  return s ? std::string("\"") + s + "\"" : std::string("null");
}

void check_agreement(const PluginDescriptor& d, const PluginStamp& stamp) {
  std::string disagreements;
  auto compare = [&](const char* what, const std::string& descriptor_value, const std::string& stamp_value) {
    if (descriptor_value == stamp_value) return;
    if (!disagreements.empty()) disagreements += ", ";
    disagreements += std::string(what) + " " + descriptor_value + " vs " + stamp_value;
  };
  compare("type", text_or_null(d.type), "\"" + stamp.type + "\"");
  compare("id", text_or_null(d.id), "\"" + stamp.id + "\"");
  compare("abi", std::to_string(d.abi_version), std::to_string(stamp.abi_version));
  compare("hash", text_or_null(d.api_hash), "\"" + stamp.api_hash + "\"");
  if (!disagreements.empty())
    throw std::runtime_error(
        "the registrar's descriptor disagrees with the library's ABI stamp (descriptor vs stamp: " +
        disagreements +
        "); the library was built inconsistently: pass the same type and id to UKUBE_PLUGIN "
        "and to the descriptor, then rebuild");
  if (!d.create)
    throw std::runtime_error("the registrar's descriptor has no create function; set descriptor.create");
}

}  // namespace

const PluginDescriptor& open_plugin_library(const std::filesystem::path& library, const PluginStamp& stamp) {
  auto& libraries = open_libraries();
  std::lock_guard lock(libraries.mutex);
  auto it = libraries.by_path.find(library);
  if (it == libraries.by_path.end()) {
    std::error_code exists_ec;
    if (!std::filesystem::exists(library, exists_ec))
      throw std::runtime_error(
          "missing library file " + library.string() +
          " (it was listed when the plugin directories were scanned); reinstall the plugin");
    boost::dll::shared_library handle;
    boost::dll::fs::error_code ec;
    // rtld_now: an unresolved symbol fails here, with a message, not later mid-call.
    handle.load(boost::dll::fs::path(library.native()),
                boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
    if (ec) {
      const char* reason = dlerror();
      throw std::runtime_error("cannot load library " + library.string() + ": " +
                               (reason ? std::string(reason) : ec.message()));
    }
    it = libraries.by_path.emplace(library, std::move(handle)).first;
  }

  boost::dll::shared_library& handle = it->second;
  if (!handle.has(UKUBE_PLUGIN_REGISTRAR_SYMBOL))
    throw std::runtime_error("library " + library.string() + " has an ABI stamp but exports no " +
                             UKUBE_PLUGIN_REGISTRAR_SYMBOL + "; declare the plugin with UKUBE_PLUGIN");
  auto registrar = handle.get<const PluginDescriptor*()>(UKUBE_PLUGIN_REGISTRAR_SYMBOL);
  const PluginDescriptor* descriptor = registrar();
  if (!descriptor)
    throw std::runtime_error("the registrar of " + library.string() + " returned no descriptor");
  check_agreement(*descriptor, stamp);
  return *descriptor;
}

}  // namespace ukube::host
