#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

// Whole-file reads and writes for the runtime's state records. A record is written to a
// temporary file beside it and renamed over it, so a reader (the driver, a restarted daemon)
// sees the old record or the new one, never half of one, even across a crash.
namespace ukube::runtime::node {

// Whether a record must outlive a power cut. Most need not: a power cut ends every
// container, and what a record said about one is moot afterwards; an fsync per file is the
// largest cost of starting a pod. An exit record must: the daemon may have reported it.
enum class Durability { UntilPowerLoss, Durable };

// Throws std::system_error naming the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           Durability durability = Durability::UntilPowerLoss);
// nullopt when the file does not exist; throws std::system_error on other failures.
std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);

}  // namespace ukube::runtime::node
