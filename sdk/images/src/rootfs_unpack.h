#pragma once

#include <filesystem>

// Applies one image layer (a tar, gzip-compressed or not) onto a root filesystem being
// built, as overlay filesystems merge layers: whiteout entries (".wh.<name>") delete what
// lower layers put there, an opaque marker (".wh..wh..opq") empties its directory of
// them. No entry is written outside `root`: links inside it are resolved within it.
// Ownership and device nodes are kept only when running as root. Throws StoreError.
namespace ukube::images {

void apply_layer(const std::filesystem::path& layer, const std::filesystem::path& root);

}  // namespace ukube::images
