#include "lib/csv.hpp"

#include <csv.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "lib/spec.hpp"

namespace descent {
namespace {

std::filesystem::path partial_of(const std::filesystem::path& path) {
  std::filesystem::path partial = path;
  partial += ".partial";
  return partial;
}

// The one way a result file appears: written whole under `<path>.partial`, then renamed; a
// failed write removes the partial file and names the file in a UsageError.
void commit_partial(const std::filesystem::path& partial, const std::filesystem::path& path,
                    bool written) {
  if (!written) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    throw UsageError(fmt::format("writing '{}' failed", path.string()));
  }
  std::filesystem::rename(partial, path);
}

}  // namespace

CsvWriter::CsvWriter(std::filesystem::path path, const std::vector<std::string>& header)
    : path_(std::move(path)), columns_(header.size()) {
  partial_ = partial_of(path_);
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  file_ = std::fopen(partial_.c_str(), "w");
  if (!file_) throw UsageError(fmt::format("cannot write '{}'", partial_.string()));
  row(header);
}

CsvWriter CsvWriter::appending(std::filesystem::path path, const std::vector<std::string>& header) {
  CsvWriter w(std::move(path), header.size());
  w.partial_ = w.path_;
  w.keep_ = true;
  const bool fresh = !std::filesystem::exists(w.path_) || std::filesystem::file_size(w.path_) == 0;
  if (w.path_.has_parent_path()) std::filesystem::create_directories(w.path_.parent_path());
  w.file_ = std::fopen(w.path_.c_str(), "a");
  if (!w.file_) throw UsageError(fmt::format("cannot write '{}'", w.path_.string()));
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
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) std::fputc(',', file_);
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos)
      std::fwrite(f.data(), 1, f.size(), file_);
    else
      csv_fwrite(file_, f.data(), f.size());
  }
  std::fputc('\n', file_);
}

void CsvWriter::flush() { std::fflush(file_); }

void CsvWriter::commit() {
  const bool failed = std::ferror(file_) != 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  commit_partial(partial_, path_, !failed && closed);
}

void write_text_file(const std::filesystem::path& path, std::string_view text) {
  const std::filesystem::path partial = partial_of(path);
  std::ofstream out(partial);
  out << text;
  out.close();
  commit_partial(partial, path, static_cast<bool>(out));
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
}

}  // namespace

CsvTable read_csv(const std::filesystem::path& path) {
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
    line.push_back('\n');
    const bool row_start = parser.status == 0 && state.fields.empty();  // not inside a quote
    if (row_start) state.line = state.next_line;
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
