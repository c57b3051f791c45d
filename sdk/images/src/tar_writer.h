#pragma once

#include <filesystem>
#include <ostream>

// Writes a folder as a tar archive (POSIX ustar): directories, regular files and symbolic
// links, with their modes, owned by root, entries named "./...", as an image layer holds
// them. Used to make an image from a root filesystem on disk.
namespace ukube::images {

// Throws StoreError naming the entry that cannot be archived (a name too long for ustar, a
// device or socket, an unreadable file).
void write_tar_of_folder(const std::filesystem::path& folder, std::ostream& out);

}  // namespace ukube::images
