//! Fixed-size records in memory that does not grow with their number. A [`Spool`] keeps
//! them in the order they came (in memory while they are few, then in a temporary file)
//! to be read back as often as needed; a [`Sorter`] sorts them by runs of a few megabytes,
//! each written to a temporary file, then merged. A batch of a million lines is counted
//! through them ([`BatchLines`](crate::BatchLines)).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

/// Bytes of records a spool keeps in memory before it moves them to a file, and a sorter
/// sorts at once (less in tests, so that a few thousand records go through files).
const IN_MEMORY: usize = if cfg!(test) { 64 << 10 } else { 4 << 20 };
/// Bytes a reader of a spool's file reads at once.
const READ_AT_ONCE: usize = 64 << 10;

/// Records of `N` bytes appended in order.
pub(crate) struct Spool<const N: usize> {
    memory: Vec<[u8; N]>,
    file: Option<BufWriter<File>>,
    len: u64,
    /// Records kept in memory at most: past that, all of them go to the file.
    in_memory: usize,
}

impl<const N: usize> Spool<N> {
    /// A spool that keeps up to a few megabytes of records in memory.
    pub(crate) fn new() -> Spool<N> {
        Spool::keeping(IN_MEMORY / N)
    }

    /// A spool that keeps up to `in_memory` records in memory.
    fn keeping(in_memory: usize) -> Spool<N> {
        Spool {
            memory: Vec::new(),
            file: None,
            len: 0,
            in_memory,
        }
    }

    /// Appends `record`.
    pub(crate) fn push(&mut self, record: [u8; N]) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(&record)?,
            None if self.memory.len() < self.in_memory => self.memory.push(record),
            None => {
                let mut file = BufWriter::with_capacity(READ_AT_ONCE, tempfile::tempfile()?);
                for kept in std::mem::take(&mut self.memory) {
                    file.write_all(&kept)?;
                }
                file.write_all(&record)?;
                self.file = Some(file);
            }
        }
        self.len += 1;
        Ok(())
    }

    /// How many records were appended.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The records appended, to be read.
    pub(crate) fn seal(self) -> io::Result<Sealed<N>> {
        let file = match self.file {
            Some(file) => Some(file.into_inner().map_err(io::IntoInnerError::into_error)?),
            None => None,
        };
        Ok(Sealed {
            memory: self.memory,
            file,
            len: self.len,
        })
    }
}

/// The records of a [`Spool`], read back in order as often as needed.
pub(crate) struct Sealed<const N: usize> {
    memory: Vec<[u8; N]>,
    file: Option<File>,
    len: u64,
}

impl<const N: usize> Sealed<N> {
    /// How many records it holds.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Whether its records are in a file.
    #[cfg(test)]
    pub(crate) fn in_file(&self) -> bool {
        self.file.is_some()
    }

    /// Its records from the first.
    pub(crate) fn records(&self) -> Records<'_, N> {
        Records {
            spool: self,
            cursor: Cursor::new(0, self.len),
        }
    }
}

/// A position in a range of a sealed spool's records, with what was read ahead of it.
struct Cursor<const N: usize> {
    next: u64,
    end: u64,
    ahead: Vec<u8>,
    taken: usize,
}

impl<const N: usize> Cursor<N> {
    fn new(start: u64, end: u64) -> Cursor<N> {
        Cursor {
            next: start,
            end,
            ahead: Vec::new(),
            taken: 0,
        }
    }

    /// The next record of `spool` in the range.
    fn read(&mut self, spool: &Sealed<N>) -> Option<io::Result<[u8; N]>> {
        if self.next == self.end {
            return None;
        }
        let Some(mut file) = spool.file.as_ref() else {
            let record = spool.memory[usize::try_from(self.next).ok()?];
            self.next += 1;
            return Some(Ok(record));
        };
        if self.taken == self.ahead.len() {
            let count = (self.end - self.next).min((READ_AT_ONCE / N) as u64);
            self.ahead.resize(count as usize * N, 0);
            self.taken = 0;
            let read = file
                .seek(SeekFrom::Start(self.next * N as u64))
                .and_then(|_| file.read_exact(&mut self.ahead));
            if let Err(error) = read {
                self.next = self.end;
                return Some(Err(error));
            }
        }
        let mut record = [0; N];
        record.copy_from_slice(&self.ahead[self.taken..self.taken + N]);
        self.taken += N;
        self.next += 1;
        Some(Ok(record))
    }
}

/// The records of a sealed spool, in order.
pub(crate) struct Records<'a, const N: usize> {
    spool: &'a Sealed<N>,
    cursor: Cursor<N>,
}

impl<const N: usize> Iterator for Records<'_, N> {
    type Item = io::Result<[u8; N]>;

    fn next(&mut self) -> Option<Self::Item> {
        self.cursor.read(self.spool)
    }
}

/// Records to sort: kept in memory up to a few megabytes, then sorted by runs of that
/// size written to a temporary file, and merged as they are read.
pub(crate) struct Sorter<const N: usize> {
    run: Vec<[u8; N]>,
    spilled: Spool<N>,
    /// Where each run written to the file ends, in records.
    ends: Vec<u64>,
}

impl<const N: usize> Sorter<N> {
    /// An empty sorter.
    pub(crate) fn new() -> Sorter<N> {
        Sorter {
            run: Vec::new(),
            spilled: Spool::keeping(0),
            ends: Vec::new(),
        }
    }

    /// Adds `record`.
    pub(crate) fn push(&mut self, record: [u8; N]) -> io::Result<()> {
        self.run.push(record);
        if self.run.len() == IN_MEMORY / N {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes the run in memory, sorted, to the file.
    fn spill(&mut self) -> io::Result<()> {
        self.run.sort_unstable();
        for record in self.run.drain(..) {
            self.spilled.push(record)?;
        }
        self.ends.push(self.spilled.len());
        Ok(())
    }

    /// The records, smallest first (bytes compared in order).
    pub(crate) fn finish(mut self) -> io::Result<Sorted<N>> {
        if self.ends.is_empty() {
            self.run.sort_unstable();
            return Ok(Sorted(Order::InMemory(self.run.into_iter())));
        }
        if !self.run.is_empty() {
            self.spill()?;
        }
        self.run = Vec::new();
        let spool = self.spilled.seal()?;
        let mut cursors = Vec::with_capacity(self.ends.len());
        let mut heap = BinaryHeap::with_capacity(self.ends.len());
        let mut start = 0;
        for end in self.ends {
            let mut cursor = Cursor::new(start, end);
            if let Some(first) = cursor.read(&spool) {
                heap.push(Reverse((first?, cursors.len())));
            }
            cursors.push(cursor);
            start = end;
        }
        Ok(Sorted(Order::Merged {
            spool,
            cursors,
            heap,
        }))
    }
}

/// The records of a [`Sorter`], smallest first.
pub(crate) struct Sorted<const N: usize>(Order<N>);

/// Where sorted records are read from.
enum Order<const N: usize> {
    /// Few enough to be sorted in memory.
    InMemory(std::vec::IntoIter<[u8; N]>),
    /// Sorted runs in a file, merged: the heap holds the next record of each run.
    Merged {
        spool: Sealed<N>,
        cursors: Vec<Cursor<N>>,
        heap: BinaryHeap<Reverse<([u8; N], usize)>>,
    },
}

impl<const N: usize> Iterator for Sorted<N> {
    type Item = io::Result<[u8; N]>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Order::InMemory(records) => records.next().map(Ok),
            Order::Merged {
                spool,
                cursors,
                heap,
            } => {
                let Reverse((record, run)) = heap.pop()?;
                match cursors[run].read(spool) {
                    Some(Ok(next)) => heap.push(Reverse((next, run))),
                    Some(Err(error)) => return Some(Err(error)),
                    None => {}
                }
                Some(Ok(record))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Record `i` of a scrambled sequence: 8 bytes of a multiplicative hash, then `i`.
    fn record(i: u64) -> [u8; 16] {
        let mut record = [0; 16];
        record[..8].copy_from_slice(&i.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
        record[8..].copy_from_slice(&i.to_be_bytes());
        record
    }

    #[test]
    fn a_spool_reads_back_in_order_from_memory_and_from_its_file() {
        for count in [0, 3, (IN_MEMORY / 16) as u64 * 2 + 5] {
            let mut spool = Spool::<16>::new();
            for i in 0..count {
                spool.push(record(i)).unwrap();
            }
            assert_eq!(spool.file.is_some(), count > (IN_MEMORY / 16) as u64);
            let sealed = spool.seal().unwrap();
            assert_eq!(sealed.len(), count);
            // Read twice, and two readers side by side.
            for _ in 0..2 {
                let mut read = 0;
                for (i, (a, b)) in sealed.records().zip(sealed.records()).enumerate() {
                    let expected = record(i as u64);
                    assert_eq!((a.unwrap(), b.unwrap()), (expected, expected));
                    read += 1;
                }
                assert_eq!(read, count);
            }
        }
    }

    #[test]
    fn a_sorter_merges_runs_written_to_a_file_into_one_order() {
        for count in [0, 1, 1_000, (IN_MEMORY / 16) as u64 * 3 + 17] {
            let mut sorter = Sorter::<16>::new();
            for i in 0..count {
                sorter.push(record(i)).unwrap();
            }
            let runs = sorter.ends.len();
            assert_eq!(runs, (count / (IN_MEMORY / 16) as u64) as usize);
            let sorted: Vec<[u8; 16]> = sorter.finish().unwrap().map(Result::unwrap).collect();
            let mut expected: Vec<[u8; 16]> = (0..count).map(record).collect();
            expected.sort_unstable();
            assert_eq!(sorted.len(), expected.len());
            assert!(sorted == expected, "{count} records in {runs} runs");
        }
    }
}
