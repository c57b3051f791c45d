#include "ukube/images/tar_reader.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>

namespace ukube::images {
namespace {

constexpr size_t kBlock = 512;

class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::filesystem::path& file) : in_(file, std::ios::binary), name_(file.string()) {
    if (!in_) throw ArchiveError("cannot open " + name_ + ": it is missing or unreadable");
  }
  size_t read(char* buffer, size_t n) override {
    in_.read(buffer, static_cast<std::streamsize>(n));
    if (in_.bad()) throw ArchiveError("cannot read " + name_);
    return static_cast<size_t>(in_.gcount());
  }

 private:
  std::ifstream in_;
  std::string name_;
};

// gzip, including several members one after another (as parallel compressors write).
class GzipSource final : public ByteSource {
 public:
  GzipSource(std::unique_ptr<ByteSource> inner, std::string name)
      : inner_(std::move(inner)), name_(std::move(name)) {
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK)
      throw ArchiveError("cannot start decompressing " + name_);
  }
  ~GzipSource() override { inflateEnd(&stream_); }

  size_t read(char* buffer, size_t n) override {
    stream_.next_out = reinterpret_cast<Bytef*>(buffer);
    stream_.avail_out = static_cast<uInt>(n);
    while (stream_.avail_out == n && !done_) {
      if (stream_.avail_in == 0) {
        const size_t got = inner_->read(input_.data(), input_.size());
        if (got == 0) {
          if (in_member_) throw ArchiveError(name_ + " is truncated: its gzip stream ends early");
          done_ = true;
          break;
        }
        stream_.next_in = reinterpret_cast<Bytef*>(input_.data());
        stream_.avail_in = static_cast<uInt>(got);
      }
      in_member_ = true;
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&stream_);
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw ArchiveError(name_ +
                           " is not valid gzip data: " + (stream_.msg ? stream_.msg : "corrupt stream"));
      }
    }
    return n - stream_.avail_out;
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string name_;
  z_stream stream_{};
  std::array<char, 64 * 1024> input_{};
  bool in_member_ = false;
  bool done_ = false;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  size_t read(char* buffer, size_t n) override {
    const size_t count = std::min(n, bytes_.size() - at_);
    std::memcpy(buffer, bytes_.data() + at_, count);
    at_ += count;
    return count;
  }

 private:
  std::string bytes_;
  size_t at_ = 0;
};

std::array<unsigned char, 4> magic_of(const std::filesystem::path& file) {
  std::array<unsigned char, 4> magic{};
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ArchiveError("cannot open " + file.string() + ": it is missing or unreadable");
  in.read(reinterpret_cast<char*>(magic.data()), magic.size());
  return magic;
}

// An octal field, or base-256 when its top bit is set (GNU, for large values).
int64_t number(const char* field, size_t size) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(field);
  if (bytes[0] & 0x80) {
    int64_t v = bytes[0] & 0x7f;
    for (size_t i = 1; i < size; ++i) v = (v << 8) | bytes[i];
    return v;
  }
  int64_t v = 0;
  size_t i = 0;
  while (i < size && (field[i] == ' ' || field[i] == '\0')) ++i;
  for (; i < size && field[i] >= '0' && field[i] <= '7'; ++i) v = v * 8 + (field[i] - '0');
  return v;
}

std::string text(const char* field, size_t size) {
  return std::string(field, strnlen(field, size));
}

bool all_zero(const char* block) {
  for (size_t i = 0; i < kBlock; ++i)
    if (block[i]) return false;
  return true;
}

bool checksum_matches(const char* block) {
  int64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
  return sum == number(block + 148, 8);
}

// A decimal number of a pax record, or nullopt.
std::optional<uint64_t> decimal(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// "27 path=some/long/name\n" records.
std::map<std::string, std::string> pax_records(const std::string& data, const std::string& archive) {
  std::map<std::string, std::string> out;
  for (size_t pos = 0; pos < data.size();) {
    const size_t space = data.find(' ', pos);
    if (space == std::string::npos) break;
    const auto length = decimal(std::string_view(data).substr(pos, space - pos));
    if (!length || *length <= space - pos || pos + *length > data.size())
      throw ArchiveError(archive + " has a corrupt pax header");
    const size_t record_end = pos + *length;
    // "<length> key=value\n": the record without its length and newline.
    const std::string record = data.substr(space + 1, record_end - space - 2);
    if (auto eq = record.find('='); eq != std::string::npos)
      out[record.substr(0, eq)] = record.substr(eq + 1);
    pos = record_end;
  }
  return out;
}

std::string clean_path(std::string path) {
  while (path.starts_with("./")) path.erase(0, 2);
  while (path.starts_with("/")) path.erase(0, 1);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path == "." ? std::string() : path;
}

}  // namespace

std::unique_ptr<ByteSource> memory_source(std::string bytes) {
  return std::make_unique<MemorySource>(std::move(bytes));
}

std::unique_ptr<ByteSource> gunzip(std::unique_ptr<ByteSource> compressed, std::string name) {
  return std::make_unique<GzipSource>(std::move(compressed), std::move(name));
}

bool is_gzip(const std::filesystem::path& file) {
  auto magic = magic_of(file);
  return magic[0] == 0x1f && magic[1] == 0x8b;
}

std::unique_ptr<ByteSource> open_maybe_compressed(const std::filesystem::path& file) {
  auto magic = magic_of(file);
  if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    throw ArchiveError(file.string() +
                       " is zstd-compressed, which is not supported: recompress it with gzip");
  auto source = std::make_unique<FileSource>(file);
  if (magic[0] == 0x1f && magic[1] == 0x8b) return gunzip(std::move(source), file.string());
  return source;
}

TarReader::TarReader(std::unique_ptr<ByteSource> source, std::string name)
    : source_(std::move(source)), name_(std::move(name)) {}

TarReader::~TarReader() = default;

void TarReader::read_exact(char* buffer, size_t n) {
  size_t got = 0;
  while (got < n) {
    const size_t r = source_->read(buffer + got, n - got);
    if (r == 0) throw ArchiveError(name_ + " is truncated: it ends inside an entry");
    got += r;
  }
}

void TarReader::skip(int64_t n) {
  std::array<char, 64 * 1024> scratch;
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<int64_t>(n, scratch.size()));
    read_exact(scratch.data(), chunk);
    n -= static_cast<int64_t>(chunk);
  }
}

std::string TarReader::read_text(int64_t size) {
  if (size < 0 || size > (1 << 20))
    throw ArchiveError(name_ + " has an extended header too large to be real");
  std::string data(static_cast<size_t>(size), '\0');
  read_exact(data.data(), data.size());
  skip((kBlock - size % kBlock) % kBlock);
  return data;
}

size_t TarReader::read(char* buffer, size_t n) {
  if (remaining_ <= 0) return 0;
  const size_t want = static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(n)));
  read_exact(buffer, want);
  remaining_ -= static_cast<int64_t>(want);
  return want;
}

std::optional<TarEntry> TarReader::next() {
  skip(remaining_ + padding_);
  remaining_ = padding_ = 0;
  std::map<std::string, std::string> pax, global_pax;
  std::string long_name, long_link;
  std::array<char, kBlock> block;
  for (;;) {
    const size_t first = source_->read(block.data(), kBlock);
    if (first == 0) return std::nullopt;  // no end-of-archive blocks: tolerated, as GNU tar does
    if (first < kBlock) read_exact(block.data() + first, kBlock - first);
    if (all_zero(block.data())) return std::nullopt;
    if (!checksum_matches(block.data()))
      throw ArchiveError(name_ + " is not a tar archive, or is corrupt (a header's checksum does not match)");
    const char type = block[156];
    const int64_t size = number(block.data() + 124, 12);
    if (type == 'x') {
      for (auto& [k, v] : pax_records(read_text(size), name_)) pax[k] = v;
      continue;
    }
    if (type == 'g') {
      for (auto& [k, v] : pax_records(read_text(size), name_)) global_pax[k] = v;
      continue;
    }
    if (type == 'L' || type == 'K') {
      std::string value = read_text(size);
      value.resize(strnlen(value.data(), value.size()));
      (type == 'L' ? long_name : long_link) = value;
      continue;
    }
    TarEntry e;
    std::string path = text(block.data(), 100);
    if (std::memcmp(block.data() + 257, "ustar", 5) == 0) {
      std::string prefix = text(block.data() + 345, 155);
      if (!prefix.empty()) path = prefix + "/" + path;
    }
    if (!long_name.empty()) path = long_name;
    e.link = long_link.empty() ? text(block.data() + 157, 100) : long_link;
    e.mode = static_cast<uint32_t>(number(block.data() + 100, 8)) & 07777;
    e.uid = static_cast<uint32_t>(number(block.data() + 108, 8));
    e.gid = static_cast<uint32_t>(number(block.data() + 116, 8));
    e.size = size;
    e.mtime = number(block.data() + 136, 12);
    e.device_major = static_cast<uint32_t>(number(block.data() + 329, 8));
    e.device_minor = static_cast<uint32_t>(number(block.data() + 337, 8));
    auto pax_number = [&](const std::string& value, const char* key) -> uint64_t {
      auto n = decimal(value);
      if (!n || *n > static_cast<uint64_t>(INT64_MAX))
        throw ArchiveError(name_ + " has a pax " + key + " that is not a number: \"" + value + "\"");
      return *n;
    };
    for (const auto* records : {&global_pax, &pax}) {
      if (auto it = records->find("path"); it != records->end()) path = it->second;
      if (auto it = records->find("linkpath"); it != records->end()) e.link = it->second;
      if (auto it = records->find("size"); it != records->end())
        e.size = static_cast<int64_t>(pax_number(it->second, "size"));
      if (auto it = records->find("uid"); it != records->end())
        e.uid = static_cast<uint32_t>(pax_number(it->second, "uid"));
      if (auto it = records->find("gid"); it != records->end())
        e.gid = static_cast<uint32_t>(pax_number(it->second, "gid"));
    }
    switch (type) {
      case '1': e.type = TarEntry::Type::Hardlink; break;
      case '2': e.type = TarEntry::Type::Symlink; break;
      case '3': e.type = TarEntry::Type::CharDevice; break;
      case '4': e.type = TarEntry::Type::BlockDevice; break;
      case '5': e.type = TarEntry::Type::Directory; break;
      case '6': e.type = TarEntry::Type::Fifo; break;
      case '0':
      case '\0':
      case '7': e.type = TarEntry::Type::File; break;
      default:
        // Unknown kinds (sparse files, volume labels) are skipped with their data.
        skip(e.size + (kBlock - e.size % kBlock) % kBlock);
        pax.clear();
        long_name.clear();
        long_link.clear();
        continue;
    }
    if (e.type == TarEntry::Type::File && !path.empty() && path.back() == '/')
      e.type = TarEntry::Type::Directory;
    e.path = clean_path(path);
    if (e.type == TarEntry::Type::Hardlink) e.link = clean_path(e.link);
    const int64_t data = (e.type == TarEntry::Type::File) ? e.size : 0;
    remaining_ = data;
    padding_ = (kBlock - data % kBlock) % kBlock;
    if (e.type != TarEntry::Type::File && e.size > 0) skip(e.size + (kBlock - e.size % kBlock) % kBlock);
    e.size = data;
    return e;
  }
}

}  // namespace ukube::images
