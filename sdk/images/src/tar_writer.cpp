#include "tar_writer.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "ukube/images/image_store.h"

namespace ukube::images {

namespace fs = std::filesystem;

namespace {

constexpr size_t kBlock = 512;

void put_octal(char* field, size_t width, uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

// ustar splits a long name into a prefix (up to 155 bytes) and a name (up to 100) at a '/'.
void put_name(char* header, const std::string& name) {
  if (name.size() <= 100) {
    std::memcpy(header, name.data(), name.size());
    return;
  }
  for (size_t slash = name.rfind('/'); slash != std::string::npos && slash > 0;
       slash = name.rfind('/', slash - 1)) {
    if (slash <= 155 && name.size() - slash - 1 <= 100) {
      std::memcpy(header + 345, name.data(), slash);
      std::memcpy(header, name.data() + slash + 1, name.size() - slash - 1);
      return;
    }
  }
  throw StoreError("cannot archive " + name + ": its name is too long for a tar entry");
}

void write_header(std::ostream& out, const std::string& name, char type, uint32_t mode, uint64_t size,
                  const std::string& link = {}) {
  std::array<char, kBlock> h{};
  put_name(h.data(), name);
  put_octal(h.data() + 100, 8, mode & 07777);
  put_octal(h.data() + 108, 8, 0);
  put_octal(h.data() + 116, 8, 0);
  put_octal(h.data() + 124, 12, size);
  put_octal(h.data() + 136, 12, 0);
  h[156] = type;
  if (link.size() > 100) throw StoreError("cannot archive " + name + ": its link target is too long");
  std::memcpy(h.data() + 157, link.data(), link.size());
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  out.write(h.data(), kBlock);
}

void write_entry(const fs::path& folder, const fs::path& path, std::ostream& out) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    throw StoreError("cannot archive " + path.string() + ": " + std::strerror(errno));
  std::string name = "./" + path.lexically_relative(folder).generic_string();
  if (S_ISDIR(st.st_mode)) {
    write_header(out, name + "/", '5', st.st_mode, 0);
  } else if (S_ISLNK(st.st_mode)) {
    write_header(out, name, '2', st.st_mode, 0, fs::read_symlink(path).string());
  } else if (S_ISREG(st.st_mode)) {
    write_header(out, name, '0', st.st_mode, static_cast<uint64_t>(st.st_size));
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buffer(1 << 16);
    uint64_t left = static_cast<uint64_t>(st.st_size);
    while (left > 0 && in) {
      in.read(buffer.data(), static_cast<std::streamsize>(std::min<uint64_t>(buffer.size(), left)));
      out.write(buffer.data(), in.gcount());
      left -= static_cast<uint64_t>(in.gcount());
    }
    if (left > 0) throw StoreError("cannot archive " + path.string() + ": it shrank while being read");
    static const std::array<char, kBlock> zeros{};
    if (size_t rest = static_cast<size_t>(st.st_size) % kBlock) out.write(zeros.data(), kBlock - rest);
  } else {
    throw StoreError("cannot archive " + path.string() +
                     ": only folders, files and symbolic links go into an image");
  }
}

}  // namespace

void write_tar_of_folder(const fs::path& folder, std::ostream& out) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) entries.push_back(entry.path());
  // Sorted: a folder comes before what it holds, and the archive is the same every time.
  std::sort(entries.begin(), entries.end());
  write_header(out, "./", '5', 0755, 0);
  for (const auto& path : entries) write_entry(folder, path, out);
  static const std::array<char, kBlock * 2> end{};
  out.write(end.data(), end.size());
  if (!out) throw StoreError("cannot write the archive of " + folder.string());
}

}  // namespace ukube::images
