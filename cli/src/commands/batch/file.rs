//! The file of `videohub batch`: its lines read (JSON lines or CSV), each checked against its
//! model and made a job to record, or the problem with it.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use videohub::ModelSchema;
use videohub_journal::NewJob;

use crate::exit::Exit;
use crate::hub::Hub;
use crate::input::{self, InputArgs};
use crate::output::Failure;
use crate::schemas;

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

/// Every line of the file as a job to record, and the problems of the invalid ones, each
/// naming its line.
pub(crate) async fn read_batch(
    hub: &Hub,
    args: &BatchFileArgs,
) -> Result<(Vec<NewJob>, Vec<String>), Failure> {
    let lines = read_lines(args)?;
    let out = std::path::absolute(&args.out)
        .map_err(|e| Failure::usage(format!("{}: {e}", args.out.display())))?;
    let mut schemas: BTreeMap<String, Option<ModelSchema>> = BTreeMap::new();
    let mut jobs = Vec::new();
    let mut invalid = Vec::new();
    for line in lines {
        let line = match line {
            Ok(line) => line,
            Err(problem) => {
                invalid.push(problem);
                continue;
            }
        };
        if !schemas.contains_key(&line.model) {
            let schema = match schemas::view(hub, &line.model).await {
                Ok(schema) => Some(schema.into_owned()),
                Err(failure) if failure.exit == Exit::Usage => None,
                Err(failure) => return Err(failure),
            };
            schemas.insert(line.model.clone(), schema);
        }
        let Some(schema) = &schemas[&line.model] else {
            invalid.push(format!(
                "line {}: unknown model `{}` (`videohub models list` shows them)",
                line.number, line.model
            ));
            continue;
        };
        let input = match line.input {
            LineInput::Json(input) => match schema.validate_input(&input) {
                Ok(()) => input,
                Err(errors) => {
                    for error in errors.errors() {
                        invalid.push(format!("line {}: {error}", line.number));
                    }
                    continue;
                }
            },
            LineInput::Csv { prompt, set } => {
                let args = InputArgs {
                    prompt: prompt.as_deref(),
                    set: &set,
                    images: &[],
                };
                match input::build(schema, &args) {
                    Ok(input) => input,
                    Err(failure) => {
                        invalid.push(format!("line {}: {}", line.number, failure.message));
                        continue;
                    }
                }
            }
        };
        let name = match line.output {
            Some(path) => path,
            None => PathBuf::from(args.name.replace("{line}", &line.number.to_string())),
        };
        let output = match videohub_app::destination::confined(&out, &name) {
            Ok(output) => output,
            Err(problem) => {
                invalid.push(format!("line {}: {problem}", line.number));
                continue;
            }
        };
        jobs.push(NewJob::new(hub.label(), schema, input, output));
    }
    Ok((jobs, invalid))
}

/// The lines of a JSON-lines or CSV file, each read or the problem with it.
fn read_lines(args: &BatchFileArgs) -> Result<Vec<Result<Line, String>>, Failure> {
    let is_csv = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut text = String::new();
    if args.file == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
    } else {
        text = std::fs::read_to_string(&args.file)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.file.display())))?;
    }
    if is_csv {
        let model = args.model.clone().ok_or_else(|| {
            Failure::usage(
                "a CSV batch needs `--model <id>`: its columns are that model's parameters",
            )
        })?;
        return csv_lines(&text, &model);
    }
    Ok(text
        .as_bytes()
        .lines()
        .enumerate()
        .filter(|(_, l)| l.as_ref().is_ok_and(|l| !l.trim().is_empty()))
        .map(|(i, l)| json_line(i + 1, &l.unwrap_or_default(), args.model.as_deref()))
        .collect())
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

/// The records of a CSV file, each a line of `model`: a cell per parameter, `prompt` the
/// prompt, an empty cell left out.
fn csv_lines(text: &str, model: &str) -> Result<Vec<Result<Line, String>>, Failure> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Failure::usage(format!("the CSV header cannot be read: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let line = |number: usize, record: csv::StringRecord| -> Line {
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
    };
    Ok(reader
        .records()
        .enumerate()
        .map(|(i, record)| {
            // Line 1 is the header.
            let number = i + 2;
            record
                .map(|r| line(number, r))
                .map_err(|e| format!("line {number}: {e}"))
        })
        .collect())
}
