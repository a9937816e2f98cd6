//! A minimal Borsh reader for the one instruction whose arguments are not
//! fixed-size (`update_config`, made of Options).
use {crate::error::JobEscrowError, pinocchio::Address};

pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn bytes<const N: usize>(&mut self) -> Result<[u8; N], JobEscrowError> {
        let (head, rest) = self.data.split_first_chunk::<N>().ok_or(JobEscrowError::InvalidInstructionData)?;
        self.data = rest;
        Ok(*head)
    }

    pub fn bool(&mut self) -> Result<bool, JobEscrowError> {
        match self.bytes::<1>()? {
            [0] => Ok(false),
            [1] => Ok(true),
            _ => Err(JobEscrowError::InvalidInstructionData),
        }
    }

    /// `Option<T>`: a 0 tag, or a 1 tag followed by `T` (read by `f`).
    pub fn option<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, JobEscrowError>) -> Result<Option<T>, JobEscrowError> {
        if self.bool()? {
            f(self).map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn address(&mut self) -> Result<Address, JobEscrowError> {
        self.bytes::<32>().map(Address::new_from_array)
    }

    /// Fails unless every byte was read.
    pub fn finish(self) -> Result<(), JobEscrowError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(JobEscrowError::InvalidInstructionData)
        }
    }
}
