// CSV in and out, with libcsv doing the parsing and the quoting.
//
// Results are written to `<path>.partial`, flushed, fsynced and renamed into place by
// commit(), so a failure never leaves a half-written result file behind; a write error (disk
// full, permission) is an IoError naming the file and the OS error.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace descent {

class CsvWriter {
 public:
  CsvWriter(std::filesystem::path path, const std::vector<std::string>& header);
  // A growing file that stays partial: rows are appended (and flushed) as they come, the
  // header written only when the file is new; commit() is never called on it.
  static CsvWriter appending(std::filesystem::path path, const std::vector<std::string>& header);
  CsvWriter(CsvWriter&& other) noexcept;
  ~CsvWriter();  // removes the partial file unless committed
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void row(const std::vector<std::string>& fields);
  // Lines made by append_csv_line, written as they are (the sweep formats a run's rows on its
  // own thread and holds the output lock only for this).
  void lines(std::string_view text);
  void flush();
  void commit();  // closes the file and renames it to its final name

 private:
  std::filesystem::path path_, partial_;
  CsvWriter(std::filesystem::path path, std::size_t columns)
      : path_(std::move(path)), columns_(columns) {}
  std::FILE* file_ = nullptr;
  std::size_t columns_;
  bool keep_ = false;  // appending files stay on disk
};

// Appends one CSV line to `out`: the fields, quoted where they need it, and '\n'.
void append_csv_line(std::string& out, const std::vector<std::string>& fields);

// An input file must be a regular file of at most `max_bytes`: a FIFO, a device (/dev/zero) or
// a folder is refused before reading, instead of hanging or reading until memory runs out.
// A missing file is left to the reader, whose message says so.
void check_input_file(const std::filesystem::path& path, std::uintmax_t max_bytes);

// An output path must be a regular file or not exist: a folder, a symlink, a device or a FIFO
// is refused (UsageError), so that `--trace /dev/null` never replaces /dev/null.
void check_output_file(const std::filesystem::path& path);

// create_directories with the OS error in an IoError naming the folder (a file in the way, no
// permission), instead of a filesystem_error.
void make_folders(const std::filesystem::path& dir);

// Renames a file within one file system and makes the new name durable; IoError on failure.
void move_file(const std::filesystem::path& from, const std::filesystem::path& to);

// A whole file's text ("" when it cannot be read: callers that need it say which file).
std::string read_text_file(const std::filesystem::path& path);

// Writes a whole text file the same way: to `<path>.partial`, then renamed into place; on a
// failure the partial file is removed and an IoError names it and the OS error.
void write_text_file(const std::filesystem::path& path, std::string_view text);

// The shortest text that reads back as the same double; nan and inf as pandas reads them.
std::string format_number(double v);

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<long> lines;  // the line each row started on, for error messages
  // The index of a column; throws UsageError naming the file and the column when missing.
  std::size_t column(std::string_view name) const;
  bool has(std::string_view name) const;
  std::string source;
};

// Reads a CSV file with a header row; every row must have the header's number of fields.
// Errors (missing file, bad quoting, ragged rows) throw UsageError naming the file and line.
CsvTable read_csv(const std::filesystem::path& path);

}  // namespace descent
