//! The protobuf wire format, just enough to walk a message: tags, varints, fixed-width values and
//! length-delimited bytes. Every read is bounds-checked; malformed input is an error, never a panic.

/// What went wrong reading the wire format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum WireError {
    #[error("the message ends in the middle of a field")]
    Truncated,
    #[error("a varint is longer than 10 bytes")]
    VarintTooLong,
    #[error("field number {0} is out of range")]
    FieldNumber(u64),
    #[error("wire type {0} is not supported")]
    WireType(u8),
}

/// One field value as it appears on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

impl Value<'_> {
    /// The name of the wire type, for error messages.
    pub fn wire_name(&self) -> &'static str {
        match self {
            Value::Varint(_) => "varint",
            Value::Fixed64(_) => "fixed64",
            Value::Bytes(_) => "length-delimited",
            Value::Fixed32(_) => "fixed32",
        }
    }

    /// Whether the value carries no information (0, or no bytes): what Go writes for an unset
    /// non-pointer field.
    pub fn is_empty(&self) -> bool {
        match *self {
            Value::Varint(v) | Value::Fixed64(v) => v == 0,
            Value::Fixed32(v) => v == 0,
            Value::Bytes(b) => b.is_empty(),
        }
    }
}

/// Iterates over the `(field number, value)` pairs of one message.
pub(super) struct Fields<'a> {
    rest: &'a [u8],
}

pub(super) fn fields(message: &[u8]) -> Fields<'_> {
    Fields { rest: message }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, Value<'a>), WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let item = self.read_field();
        if item.is_err() {
            // Stop after the first error.
            self.rest = &[];
        }
        Some(item)
    }
}

impl<'a> Fields<'a> {
    fn read_field(&mut self) -> Result<(u32, Value<'a>), WireError> {
        let tag = read_varint(&mut self.rest)?;
        // Field numbers run from 1 to 2^29 - 1.
        let number = tag >> 3;
        if !(1..1 << 29).contains(&number) {
            return Err(WireError::FieldNumber(number));
        }
        let number = number as u32;
        let value = match (tag & 7) as u8 {
            0 => Value::Varint(read_varint(&mut self.rest)?),
            1 => Value::Fixed64(u64::from_le_bytes(take_array(&mut self.rest)?)),
            2 => {
                let len = usize::try_from(read_varint(&mut self.rest)?)
                    .map_err(|_| WireError::Truncated)?;
                if len > self.rest.len() {
                    return Err(WireError::Truncated);
                }
                let (bytes, rest) = self.rest.split_at(len);
                self.rest = rest;
                Value::Bytes(bytes)
            }
            5 => Value::Fixed32(u32::from_le_bytes(take_array(&mut self.rest)?)),
            other => return Err(WireError::WireType(other)),
        };
        Ok((number, value))
    }
}

/// Reads one base-128 varint from the front of `input`.
pub(super) fn read_varint(input: &mut &[u8]) -> Result<u64, WireError> {
    let mut value = 0u64;
    for (i, byte) in input.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            *input = &input[i + 1..];
            return Ok(value);
        }
    }
    if input.len() >= 10 {
        Err(WireError::VarintTooLong)
    } else {
        Err(WireError::Truncated)
    }
}

fn take_array<const N: usize>(input: &mut &[u8]) -> Result<[u8; N], WireError> {
    let (head, rest) = input.split_first_chunk::<N>().ok_or(WireError::Truncated)?;
    *input = rest;
    Ok(*head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_decode_up_to_ten_bytes() {
        let mut input: &[u8] = &[0x96, 0x01, 0xff];
        assert_eq!(read_varint(&mut input), Ok(150));
        assert_eq!(input, &[0xff]);

        let mut max: &[u8] = &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(read_varint(&mut max), Ok(u64::MAX));

        let mut long: &[u8] = &[0xff; 11];
        assert_eq!(read_varint(&mut long), Err(WireError::VarintTooLong));

        let mut short: &[u8] = &[0x80, 0x80];
        assert_eq!(read_varint(&mut short), Err(WireError::Truncated));
    }

    #[test]
    fn fields_yield_each_wire_type() {
        let message = [
            0x08, 0x2a, // 1: varint 42
            0x12, 0x02, b'h', b'i', // 2: bytes "hi"
            0x19, 1, 0, 0, 0, 0, 0, 0, 0, // 3: fixed64 1
            0x25, 2, 0, 0, 0, // 4: fixed32 2
        ];
        let got: Vec<_> = fields(&message).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            got,
            vec![
                (1, Value::Varint(42)),
                (2, Value::Bytes(b"hi")),
                (3, Value::Fixed64(1)),
                (4, Value::Fixed32(2)),
            ]
        );
    }

    #[test]
    fn a_length_past_the_end_is_truncated() {
        let got: Vec<_> = fields(&[0x12, 0x05, b'a']).collect();
        assert_eq!(got, vec![Err(WireError::Truncated)]);
    }

    #[test]
    fn groups_and_field_zero_are_rejected() {
        assert_eq!(fields(&[0x0b]).next(), Some(Err(WireError::WireType(3))));
        assert_eq!(
            fields(&[0x00, 0x00]).next(),
            Some(Err(WireError::FieldNumber(0)))
        );
    }
}
