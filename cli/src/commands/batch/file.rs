//! The file of `videohub batch`: its lines read one at a time (JSON lines or CSV), each
//! checked against its model and made a job to record, or the problem with it. A run reads
//! the file twice, once to check every line and name the batch, once to record it, and
//! holds one line at a time; standard input, which cannot be read twice, is first copied
//! to a temporary file.

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};
use videohub::ModelSchema;
use videohub_app::destination::OutputFolder;
use videohub_journal::{BatchLines, LineDigest, NewJob};

use crate::exit::Exit;
use crate::hub::Hub;
use crate::input::{self, InputArgs};
use crate::output::Failure;
use crate::schemas;
use crate::store;

/// The batch file.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct BatchFileArgs {
    /// JSON lines, each `{"model": …, "input": {…}, "output": "file.mp4"}` (output
    /// optional), or CSV with a header of parameter names (`.csv`, with --model); `-` reads
    /// JSON lines from standard input.
    pub file: PathBuf,
    /// The model of every line of a CSV file.
    #[arg(long)]
    pub model: Option<String>,
    /// Where the videos (or images) go.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// The file name of each output in --out, from `{model}`, `{task_id}`, `{job_id}`,
    /// `{line}` and `{ext}` (the extension of the model's files: mp4, png).
    #[arg(
        long,
        value_name = "TEMPLATE",
        default_value = "{model}-{line}-{task_id}.{ext}"
    )]
    pub name: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// A batch file, open to be read from its first line as often as needed.
pub(crate) struct BatchFile {
    file: File,
    /// The model of every line of a CSV file; `None` for JSON lines.
    csv: Option<String>,
}

impl BatchFile {
    /// Opens the file of `args` (standard input copied to a temporary file).
    pub(crate) fn open(args: &BatchFileArgs) -> Result<BatchFile, Failure> {
        let is_csv = args
            .file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let csv = match (is_csv, &args.model) {
            (false, _) => None,
            (true, Some(model)) => Some(model.clone()),
            (true, None) => {
                return Err(Failure::usage(
                    "a CSV batch needs `--model <id>`: its columns are that model's parameters",
                ));
            }
        };
        let file = if args.file == Path::new("-") {
            stdin_copy().map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?
        } else {
            File::open(&args.file)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.file.display())))?
        };
        Ok(BatchFile { file, csv })
    }

    /// The file's bytes from the first.
    pub(crate) fn bytes(&self) -> Result<File, Failure> {
        let read = |e: std::io::Error| Failure::usage(format!("cannot read the batch: {e}"));
        let mut file = self.file.try_clone().map_err(read)?;
        file.rewind().map_err(read)?;
        Ok(file)
    }

    /// The model of every line of a CSV file; `None` for JSON lines.
    pub(crate) fn csv_model(&self) -> Option<&str> {
        self.csv.as_deref()
    }

    /// The lines from the first.
    fn lines(&self) -> Result<Lines, Failure> {
        let reader = BufReader::new(self.bytes()?);
        Ok(match &self.csv {
            None => Lines::Json {
                reader,
                number: 0,
                text: Vec::new(),
            },
            Some(model) => {
                let mut reader = csv::Reader::from_reader(reader);
                let header: Vec<String> = reader
                    .headers()
                    .map_err(|e| Failure::usage(format!("the CSV header cannot be read: {e}")))?
                    .iter()
                    .map(str::to_owned)
                    .collect();
                Lines::Csv {
                    reader,
                    header,
                    record: csv::StringRecord::new(),
                    number: 1,
                    model: model.clone(),
                }
            }
        })
    }

    /// The jobs of the valid lines, read again (for [`Runner::run_batch_lines`]): `checker`
    /// knows their models from the first reading. A line that no longer reads as a job is
    /// left out, which the journal notices.
    ///
    /// [`Runner::run_batch_lines`]: videohub_journal::Runner::run_batch_lines
    pub(crate) fn jobs(
        &self,
        mut checker: Checker,
    ) -> Result<impl Iterator<Item = std::io::Result<NewJob>> + Send + use<>, Failure> {
        let mut lines = self.lines()?;
        Ok(std::iter::from_fn(move || {
            loop {
                match lines.next() {
                    Ok(None) => return None,
                    Err(error) => return Some(Err(error)),
                    Ok(Some(read)) => {
                        let job = checker.parse(read).ok().and_then(|l| checker.job(l).ok());
                        if let Some(job) = job {
                            return Some(Ok(job));
                        }
                    }
                }
            }
        }))
    }
}

/// The folder the files go in, `--out`, as an absolute path (as the lines' outputs are,
/// and as their keys count them: by their names inside it); a prefix of objects as written.
pub(crate) fn out_folder(args: &BatchFileArgs) -> Result<PathBuf, Failure> {
    videohub_app::destination::folder(&args.out, false).map_err(|e| Failure::usage(e.to_string()))
}

/// Standard input, copied to a temporary file.
fn stdin_copy() -> std::io::Result<File> {
    let mut file = tempfile::tempfile()?;
    std::io::copy(&mut std::io::stdin().lock(), &mut file)?;
    Ok(file)
}

/// What the first reading of a batch found.
pub(crate) struct Reading {
    /// The lines read, valid or not.
    pub(crate) lines: u64,
    /// The invalid ones.
    pub(crate) invalid: u64,
    /// The valid lines per model.
    pub(crate) models: BTreeMap<String, u64>,
    /// The model of the first valid line.
    pub(crate) first_model: Option<String>,
    /// What checked them, for the second reading.
    pub(crate) checker: Checker,
}

impl Reading {
    /// The valid lines.
    pub(crate) fn valid(&self) -> u64 {
        self.lines - self.invalid
    }

    /// Counts a valid line of `model`.
    fn count(&mut self, model: String) {
        match self.models.get_mut(&model) {
            Some(count) => *count += 1,
            None => {
                self.first_model.get_or_insert_with(|| model.clone());
                self.models.insert(model, 1);
            }
        }
    }
}

/// Lines checked at once by one thread.
const CHUNK: usize = 4_096;
/// Chunks being checked at once, each by a thread of its own.
const CHUNKS_AT_ONCE: usize = 2;

/// Reads every line of `file` and checks it; with `counted`, each valid line is hashed
/// into it, in the order of the file. Each problem, naming its line, goes to `invalid`.
/// The lines are checked (and hashed) a few thousand at a time on other threads while
/// this one reads on.
pub(crate) async fn check_batch(
    hub: &Hub,
    args: &BatchFileArgs,
    file: &BatchFile,
    mut counted: Option<&mut BatchLines>,
    mut invalid: impl FnMut(String),
) -> Result<Reading, Failure> {
    let out = out_folder(args)?;
    let mut reading = Reading {
        lines: 0,
        invalid: 0,
        models: BTreeMap::new(),
        first_model: None,
        checker: Checker {
            hub: hub.label(),
            name: NameTemplate::new(&args.name),
            model: args.model.clone(),
            out: OutputFolder::new(out.clone()),
            folder: out,
            schemas: Arc::new(BTreeMap::new()),
        },
    };
    let hashed = counted.is_some();
    let mut lines = file.lines()?;
    let read = |e: std::io::Error| Failure::usage(format!("cannot read the batch: {e}"));
    let mut checking = VecDeque::new();
    loop {
        while checking.len() < CHUNKS_AT_ONCE {
            let mut chunk = Vec::with_capacity(CHUNK);
            while chunk.len() < CHUNK {
                match lines.next().map_err(read)? {
                    Some(line) => chunk.push(line),
                    None => break,
                }
            }
            if chunk.is_empty() {
                break;
            }
            let mut checker = reading.checker.clone();
            checking.push_back(tokio::task::spawn_blocking(move || {
                chunk
                    .into_iter()
                    .map(|line| checker.check(line, hashed))
                    .collect::<Vec<_>>()
            }));
        }
        let Some(chunk) = checking.pop_front() else {
            break;
        };
        let chunk = chunk
            .await
            .map_err(|e| Failure::new(Exit::Api, format!("checking the batch failed: {e}")))?;
        for checked in chunk {
            reading.lines += 1;
            let valid = match checked {
                Checked::Valid { model, digest } => Ok((model, digest)),
                Checked::Invalid(problems) => Err(problems),
                // A model the chunk's checker did not know yet.
                Checked::Unknown(line) => {
                    reading.checker.learn(hub, &line.model).await?;
                    reading.checker.job(line).map(|job| {
                        (
                            job.model.clone(),
                            hashed.then(|| LineDigest::of(&job, &reading.checker.folder)),
                        )
                    })
                }
            };
            match valid {
                Ok((model, digest)) => {
                    reading.count(model);
                    if let (Some(counted), Some(digest)) = (counted.as_deref_mut(), digest) {
                        counted.push_digest(digest).map_err(store::failure)?;
                    }
                }
                Err(problems) => {
                    reading.invalid += 1;
                    problems.into_iter().for_each(&mut invalid);
                }
            }
        }
    }
    Ok(reading)
}

/// A line checked: valid (its model, and its digest when asked), its problems, or a line
/// of a model whose schema is not known yet.
enum Checked {
    Valid {
        model: String,
        digest: Option<LineDigest>,
    },
    Invalid(Vec<String>),
    Unknown(Line),
}

/// `--name`, split at its `{line}`s.
#[derive(Clone)]
struct NameTemplate(Vec<String>);

impl NameTemplate {
    fn new(template: &str) -> NameTemplate {
        NameTemplate(template.split("{line}").map(str::to_owned).collect())
    }

    /// The name of line `number`.
    fn of(&self, number: usize) -> PathBuf {
        PathBuf::from(self.0.join(&number.to_string()))
    }
}

/// What checks a batch's lines: the models' schemas, each read once, and the folder the
/// files go in.
#[derive(Clone)]
pub(crate) struct Checker {
    hub: String,
    name: NameTemplate,
    /// `--model`, for JSON lines without their own.
    model: Option<String>,
    out: OutputFolder,
    /// `--out`, as the line keys count outputs inside it.
    folder: PathBuf,
    /// The schema of each model named so far; `None` for a model the hub does not know.
    schemas: Arc<BTreeMap<String, Option<ModelSchema>>>,
}

impl Checker {
    /// Reads the schema of `model`, unless it was read already.
    async fn learn(&mut self, hub: &Hub, model: &str) -> Result<(), Failure> {
        if !self.schemas.contains_key(model) {
            let schema = match schemas::view(hub, model).await {
                Ok(schema) => Some(schema.into_owned()),
                Err(failure) if failure.exit == Exit::Usage => None,
                Err(failure) => return Err(failure),
            };
            Arc::make_mut(&mut self.schemas).insert(model.to_owned(), schema);
        }
        Ok(())
    }

    /// The line `read` parsed and checked (and `hashed`), when its model is known.
    fn check(&mut self, read: Read, hashed: bool) -> Checked {
        match self.parse(read) {
            Err(problem) => Checked::Invalid(vec![problem]),
            Ok(line) if !self.schemas.contains_key(&line.model) => Checked::Unknown(line),
            Ok(line) => match self.job(line) {
                Ok(job) => Checked::Valid {
                    digest: hashed.then(|| LineDigest::of(&job, &self.folder)),
                    model: job.model,
                },
                Err(problems) => Checked::Invalid(problems),
            },
        }
    }

    /// The line `read`, parsed.
    fn parse(&self, read: Read) -> Result<Line, String> {
        match read {
            Read::Json { number, text } => json_line(number, &text, self.model.as_deref()),
            Read::Line(line) => line,
        }
    }

    /// The job of `line` (its model learned), or its problems, each naming the line.
    fn job(&mut self, line: Line) -> Result<NewJob, Vec<String>> {
        let number = line.number;
        let Some(Some(schema)) = self.schemas.get(&line.model) else {
            return Err(vec![format!(
                "line {number}: unknown model `{}` (`videohub models list` shows them)",
                line.model
            )]);
        };
        let input = match line.input {
            LineInput::Json(input) => match schema.validate_input(&input) {
                Ok(()) => input,
                Err(errors) => {
                    return Err(errors
                        .errors()
                        .iter()
                        .map(|error| format!("line {number}: {error}"))
                        .collect());
                }
            },
            LineInput::Csv { prompt, set } => {
                let args = InputArgs {
                    prompt: prompt.as_deref(),
                    set: &set,
                    images: &[],
                };
                input::build(schema, &args)
                    .map_err(|failure| vec![format!("line {number}: {}", failure.message)])?
            }
        };
        let name = match line.output {
            Some(path) => path,
            None => self.name.of(number),
        };
        let output = self
            .out
            .confine(&name)
            .map_err(|problem| vec![format!("line {number}: {problem}")])?;
        Ok(NewJob::new(&self.hub, schema, input, output))
    }
}

/// One line of the file, read but not yet checked.
struct Line {
    number: usize,
    model: String,
    input: LineInput,
    output: Option<PathBuf>,
}

/// A line's input: JSON as given, or CSV cells typed once the model's schema is known.
enum LineInput {
    Json(Map<String, Value>),
    Csv {
        prompt: Option<String>,
        set: Vec<String>,
    },
}

/// A line as read: the text of a JSON line, parsed when it is checked, or a CSV record
/// already split into its cells (or the problem with it).
enum Read {
    Json { number: usize, text: String },
    Line(Result<Line, String>),
}

/// The lines of a JSON-lines or CSV file, read one at a time.
enum Lines {
    Json {
        reader: BufReader<File>,
        /// The number of the last line read.
        number: usize,
        text: Vec<u8>,
    },
    Csv {
        reader: csv::Reader<BufReader<File>>,
        header: Vec<String>,
        record: csv::StringRecord,
        /// The number of the last record read (the header is line 1).
        number: usize,
        model: String,
    },
}

impl Lines {
    /// The next line (a blank one of JSON lines skipped); `None` at the end of the file.
    fn next(&mut self) -> std::io::Result<Option<Read>> {
        match self {
            Lines::Json {
                reader,
                number,
                text,
            } => loop {
                text.clear();
                if reader.read_until(b'\n', text)? == 0 {
                    return Ok(None);
                }
                *number += 1;
                let Ok(line) = std::str::from_utf8(text) else {
                    let problem = format!("line {number}: not UTF-8 text");
                    return Ok(Some(Read::Line(Err(problem))));
                };
                if !line.trim().is_empty() {
                    return Ok(Some(Read::Json {
                        number: *number,
                        text: line.to_owned(),
                    }));
                }
            },
            Lines::Csv {
                reader,
                header,
                record,
                number,
                model,
            } => {
                *number += 1;
                let line = match reader.read_record(record) {
                    Ok(false) => return Ok(None),
                    Ok(true) => Ok(csv_line(*number, header, record, model)),
                    Err(error) if error.is_io_error() => {
                        return Err(std::io::Error::other(error));
                    }
                    Err(error) => Err(format!("line {number}: {error}")),
                };
                Ok(Some(Read::Line(line)))
            }
        }
    }
}

/// Line `number` of a JSON-lines file; `model` is the one of `--model`, for lines without
/// their own.
fn json_line(number: usize, text: &str, model: Option<&str>) -> Result<Line, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("line {number}: not JSON ({e})"))?;
    let Value::Object(mut object) = value else {
        return Err(format!(
            "line {number}: expected an object {{\"model\", \"input\"}}"
        ));
    };
    let model = match (object.remove("model"), model) {
        (Some(Value::String(m)), _) => m,
        (None, Some(m)) => m.to_owned(),
        _ => {
            return Err(format!(
                "line {number}: `model` is missing (or not a string)"
            ));
        }
    };
    let input = match object.remove("input") {
        Some(Value::Object(input)) => input,
        _ => {
            return Err(format!(
                "line {number}: `input` is missing (or not an object)"
            ));
        }
    };
    let output = match object.remove("output") {
        None | Some(Value::Null) => None,
        Some(Value::String(path)) => Some(PathBuf::from(path)),
        Some(_) => return Err(format!("line {number}: `output` must be a file name")),
    };
    if let Some(key) = object.keys().next() {
        return Err(format!(
            "line {number}: unknown key `{key}` (a line has model, input and output)"
        ));
    }
    Ok(Line {
        number,
        model,
        input: LineInput::Json(input),
        output,
    })
}

/// Record `number` of a CSV file, a line of `model`: a cell per parameter named by
/// `header`, `prompt` the prompt, an empty cell left out.
fn csv_line(number: usize, header: &[String], record: &csv::StringRecord, model: &str) -> Line {
    let mut set = Vec::new();
    let mut prompt = None;
    for (name, value) in header.iter().zip(record.iter()) {
        match (name.as_str(), value) {
            (_, "") => {}
            ("prompt", value) => prompt = Some(value.to_owned()),
            (name, value) => set.push(format!("{name}={value}")),
        }
    }
    Line {
        number,
        model: model.to_owned(),
        input: LineInput::Csv { prompt, set },
        output: None,
    }
}
