#include "lib/csv.hpp"

#include <csv.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lib/limits.hpp"
#include "lib/spec.hpp"

namespace descent {
namespace {

std::filesystem::path partial_of(const std::filesystem::path& path) {
  std::filesystem::path partial = path;
  partial += ".partial";
  return partial;
}

IoError io_error(const std::string& what, const std::filesystem::path& path, int error) {
  return IoError(fmt::format("{} '{}': {}", what, path.string(), std::strerror(error)));
}

// Makes the data of a file, and its name in its folder, durable before a result counts as
// written: without it a crash after the rename can leave an empty file under the final name.
void sync_folder(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// The one way a result file appears: written whole under `<path>.partial`, flushed, checked,
// fsynced and renamed; a failed write removes the partial file and names the file and the OS
// error in an IoError.
void commit_file(std::FILE* file, const std::filesystem::path& partial,
                 const std::filesystem::path& path) {
  int error = 0;
  if (std::fflush(file) != 0 || std::ferror(file)) error = errno ? errno : EIO;
  if (!error && ::fsync(::fileno(file)) != 0) error = errno;
  if (std::fclose(file) != 0 && !error) error = errno;
  if (!error && ::rename(partial.c_str(), path.c_str()) != 0) error = errno;
  if (error) {
    ::unlink(partial.c_str());
    throw io_error("writing", path, error);
  }
  sync_folder(path);
}

std::FILE* open_for_writing(const std::filesystem::path& file, const std::filesystem::path& path,
                            const char* mode) {
  check_output_file(path);
  if (path.has_parent_path()) make_folders(path.parent_path());
  std::FILE* f = std::fopen(file.c_str(), mode);
  if (!f) throw io_error("cannot write", file, errno);
  return f;
}

}  // namespace

void check_input_file(const std::filesystem::path& path, std::uintmax_t max_bytes) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || st.type() == std::filesystem::file_type::not_found) return;
  if (st.type() != std::filesystem::file_type::regular)
    throw UsageError(
        fmt::format("'{}' is not a regular file (a folder, device or FIFO)", path.string()));
  if (const auto size = std::filesystem::file_size(path, ec); !ec && size > max_bytes)
    throw UsageError(fmt::format("'{}' has {} bytes, more than the limit of {}", path.string(),
                                 size, max_bytes));
}

void check_output_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto st = std::filesystem::symlink_status(path, ec);
  if (ec || st.type() == std::filesystem::file_type::not_found ||
      st.type() == std::filesystem::file_type::regular)
    return;
  throw UsageError(fmt::format(
      "'{}' is not a regular file (a folder, link, device or FIFO); refusing to replace it",
      path.string()));
}

void make_folders(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError(fmt::format("cannot make folder '{}': {}", dir.string(), ec.message()));
}

CsvWriter::CsvWriter(std::filesystem::path path, const std::vector<std::string>& header)
    : path_(std::move(path)), columns_(header.size()) {
  partial_ = partial_of(path_);
  file_ = open_for_writing(partial_, path_, "w");
  row(header);
}

CsvWriter CsvWriter::appending(std::filesystem::path path, const std::vector<std::string>& header) {
  CsvWriter w(std::move(path), header.size());
  w.partial_ = w.path_;
  w.keep_ = true;
  std::error_code ec;
  const bool fresh =
      !std::filesystem::exists(w.path_) || std::filesystem::file_size(w.path_, ec) == 0;
  w.file_ = open_for_writing(w.path_, w.path_, "a");
  if (fresh) w.row(header);
  return w;
}

CsvWriter::CsvWriter(CsvWriter&& o) noexcept
    : path_(std::move(o.path_)),
      partial_(std::move(o.partial_)),
      file_(o.file_),
      columns_(o.columns_),
      keep_(o.keep_) {
  o.file_ = nullptr;
}

CsvWriter::~CsvWriter() {
  if (!file_) return;
  std::fclose(file_);
  if (keep_) return;
  std::error_code ignored;
  std::filesystem::remove(partial_, ignored);
}

void CsvWriter::row(const std::vector<std::string>& fields) {
  if (fields.size() != columns_)
    throw std::logic_error(fmt::format("{}: row of {} fields under a header of {}", path_.string(),
                                       fields.size(), columns_));
  std::string line;
  append_csv_line(line, fields);
  lines(line);
}

void CsvWriter::lines(std::string_view text) { std::fwrite(text.data(), 1, text.size(), file_); }

namespace {
// One pass over the field (find_first_of calls memchr on the set for every character).
bool needs_quotes(std::string_view f) {
  return std::any_of(f.begin(), f.end(),
                     [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; });
}
}  // namespace

void append_csv_line(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    const std::string& f = fields[i];
    if (!needs_quotes(f)) {
      out += f;
    } else {
      const std::size_t at = out.size();
      out.resize(at + csv_write(nullptr, 0, f.data(), f.size()));
      csv_write(out.data() + at, out.size() - at, f.data(), f.size());
    }
  }
  out += '\n';
}

void CsvWriter::flush() {
  if (std::fflush(file_) != 0 || std::ferror(file_))
    throw io_error("appending to", path_, errno ? errno : EIO);
}

void CsvWriter::commit() {
  std::FILE* f = file_;
  file_ = nullptr;
  commit_file(f, partial_, path_);
}

void move_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) throw io_error("moving a file to", to, errno);
  sync_folder(to);
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_text_file(const std::filesystem::path& path, std::string_view text) {
  const std::filesystem::path partial = partial_of(path);
  std::FILE* f = open_for_writing(partial, path, "w");
  std::fwrite(text.data(), 1, text.size(), f);
  commit_file(f, partial, path);
}

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

std::size_t CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw UsageError(fmt::format("{}: missing column '{}'", source, name));
}

bool CsvTable::has(std::string_view name) const {
  return std::find(header.begin(), header.end(), name) != header.end();
}

namespace {

struct ParseState {
  CsvTable* table;
  std::vector<std::string> fields;
  long line = 1;       // the line the current row started on
  long next_line = 1;  // counts line ends seen
  bool header_done = false;
  std::string error;
};

void on_field(void* data, std::size_t len, void* state) {
  auto* s = static_cast<ParseState*>(state);
  s->fields.emplace_back(static_cast<const char*>(data), len);
}

void on_row(int /*terminator*/, void* state) {
  auto* s = static_cast<ParseState*>(state);
  if (!s->header_done) {
    s->table->header = std::move(s->fields);
    s->header_done = true;
  } else if (s->error.empty() && s->fields.size() != s->table->header.size()) {
    s->error = fmt::format("{}:{}: expected {} fields, found {}", s->table->source, s->line,
                           s->table->header.size(), s->fields.size());
  } else {
    s->table->rows.push_back(std::move(s->fields));
    s->table->lines.push_back(s->line);
  }
  s->fields.clear();
  s->fields.reserve(s->table->header.size());  // the moved-from vector has no room left
}

// A line with no quote, space, tab or carriage return, read at the start of a row: all libcsv
// would do is split it at its commas. Splitting it here costs a fraction of libcsv's
// character-by-character callbacks, which matters when a sweep reads back its own traces (a
// million fields for a thousand small runs).
bool plain(std::string_view line) {
  return !line.empty() && std::none_of(line.begin(), line.end(), [](char c) {
    return c == '"' || c == ' ' || c == '\t' || c == '\r';
  });
}

void split_plain(std::string_view line, ParseState& state) {
  for (std::size_t start = 0;;) {
    const std::size_t comma = line.find(',', start);
    state.fields.emplace_back(line.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  on_row(0, &state);
}

}  // namespace

CsvTable read_csv(const std::filesystem::path& path) {
  check_input_file(path, limits::file_bytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("cannot read '{}'", path.string()));
  CsvTable table;
  table.source = path.string();
  csv_parser parser;
  csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
  ParseState state{&table, {}, 1, 1, false, {}};
  std::string line;
  // Feed line by line so that errors can name the line; quoted newlines span feeds.
  while (std::getline(in, line)) {
    const bool row_start = parser.status == 0 && state.fields.empty();  // not inside a quote
    if (row_start) state.line = state.next_line;
    if (row_start && plain(line)) {
      split_plain(line, state);
      ++state.next_line;
      if (!state.error.empty()) break;
      continue;
    }
    line.push_back('\n');
    if (csv_parse(&parser, line.data(), line.size(), on_field, on_row, &state) != line.size()) {
      const std::string why = csv_strerror(csv_error(&parser));
      csv_free(&parser);
      throw UsageError(fmt::format("{}:{}: {}", table.source, state.next_line, why));
    }
    ++state.next_line;
    if (!state.error.empty()) break;
  }
  const int fini = csv_fini(&parser, on_field, on_row, &state);
  csv_free(&parser);
  if (!state.error.empty()) throw UsageError(state.error);
  if (fini != 0)
    throw UsageError(fmt::format("{}:{}: unterminated quote", table.source, state.line));
  if (table.header.empty())
    throw UsageError(fmt::format("{}: empty file, no header", table.source));
  return table;
}

}  // namespace descent
