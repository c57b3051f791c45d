#include "cri_log.h"

#include <fstream>
#include <stdexcept>
#include <system_error>

namespace ukube::runtime::fake {

void append_stdout_lines(const std::filesystem::path& path, const std::vector<std::string>& lines,
                         int64_t unix_ns) {
  std::error_code ignored;  // a failure to make the folder shows as the open failing
  std::filesystem::create_directories(path.parent_path(), ignored);
  std::ofstream out(path, std::ios::app | std::ios::binary);
  if (!out) throw std::runtime_error("cannot open container log " + path.string());
  for (const auto& line : lines) out << cri_log_line(unix_ns, LogStream::Stdout, false, line);
  out.flush();
  if (!out) throw std::runtime_error("cannot write container log " + path.string());
}

}  // namespace ukube::runtime::fake
