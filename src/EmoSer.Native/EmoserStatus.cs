namespace EmoSer.Native;

/// <summary>The C API's status codes; the values are part of the ABI (include/emoser.h, <c>emoser_status</c>).</summary>
internal enum EmoserStatus
{
    Ok = 0,
    NoResult = 1,
    NullArgument = -1,
    InvalidArgument = -2,
    InvalidHandle = -3,
    BufferTooSmall = -4,
    IO = -5,
    AudioFormat = -6,
    ModelFormat = -7,
    Busy = -8,
    Internal = -9,
    ProfileFormat = -10,
}
