using System.Globalization;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Strict RFC 9110 parser for <c>Accept</c>: <c>#( media-range *( OWS ";" OWS parameter ) )</c>, parameters
/// <c>token "=" ( token / quoted-string )</c>, <c>q</c> a qvalue. Empty list elements are allowed, as the RFC says.
/// Errors name the offending element and what is wrong with it.
/// </summary>
internal sealed class AcceptHeaderParser
{
    private readonly string header;
    private int position;

    private AcceptHeaderParser(string header) => this.header = header;

    public static bool TryParse(string header, out List<MediaRange> ranges, out string? error)
    {
        var parser = new AcceptHeaderParser(header);
        ranges = [];
        try
        {
            parser.ParseList(ranges);
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private void ParseList(List<MediaRange> ranges)
    {
        while (true)
        {
            SkipWhitespace();
            if (AtEnd)
            {
                return;
            }

            if (Current == ',')
            {
                position++; // empty list element
                continue;
            }

            ranges.Add(ParseMediaRange());
            SkipWhitespace();
            if (AtEnd)
            {
                return;
            }

            if (Current != ',')
            {
                throw Error($"unexpected character '{Current}' at position {position}; expected ',' or ';'");
            }

            position++;
        }
    }

    private MediaRange ParseMediaRange()
    {
        var start = position;
        var type = ReadToken();
        if (type.Length == 0)
        {
            throw Error($"media range at position {start} does not start with a type token (found '{Describe()}')");
        }

        if (AtEnd || Current != '/')
        {
            throw Error($"media range '{type}' is missing '/' and a subtype (expected e.g. 'text/plain')");
        }

        position++;
        var subtype = ReadToken();
        if (subtype.Length == 0)
        {
            throw Error($"media range '{type}/' has an empty or invalid subtype (found '{Describe()}')");
        }

        if (type == "*" && subtype != "*")
        {
            throw Error($"media range '{type}/{subtype}' is invalid: a '*' type requires a '*' subtype");
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var quality = 1.0;
        while (true)
        {
            SkipWhitespace();
            if (AtEnd || Current != ';')
            {
                break;
            }

            position++;
            SkipWhitespace();
            if (AtEnd || Current == ',')
            {
                break; // tolerate a trailing ';'
            }

            var name = ReadToken().ToLowerInvariant();
            if (name.Length == 0)
            {
                throw Error($"media range '{type}/{subtype}' has a parameter without a name at position {position} (found '{Describe()}')");
            }

            if (AtEnd || Current != '=')
            {
                throw Error($"parameter '{name}' of media range '{type}/{subtype}' has no '=value'");
            }

            position++;
            var value = !AtEnd && Current == '"' ? ReadQuotedString(name) : ReadToken();
            if (value.Length == 0 && (AtEnd || header[position - 1] == '='))
            {
                throw Error($"parameter '{name}' of media range '{type}/{subtype}' has an empty value");
            }

            if (name == "q")
            {
                quality = ParseQuality(value, $"{type}/{subtype}");
            }
            else
            {
                parameters[name] = value;
            }
        }

        return new MediaRange(type.ToLowerInvariant(), subtype.ToLowerInvariant(), parameters, quality);
    }

    private static double ParseQuality(string value, string range)
    {
        // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
        var valid = value.Length is >= 1 and <= 5
            && (value[0] == '0' || value[0] == '1')
            && (value.Length == 1 || (value[1] == '.' && value.AsSpan(2).IndexOfAnyExceptInRange('0', '9') < 0));
        if (valid && double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) && q <= 1.0)
        {
            return q;
        }

        throw Error($"media range '{range}' has an invalid q value '{value}' (expected a number from 0 to 1 with at most 3 decimals)");
    }

    private string ReadToken()
    {
        var start = position;
        while (!AtEnd && IsTokenChar(Current))
        {
            position++;
        }

        return header[start..position];
    }

    private string ReadQuotedString(string parameter)
    {
        var start = position;
        position++; // opening quote
        var value = new System.Text.StringBuilder();
        while (!AtEnd)
        {
            var c = Current;
            position++;
            if (c == '"')
            {
                return value.ToString();
            }

            if (c == '\\')
            {
                if (AtEnd)
                {
                    break;
                }

                c = Current;
                position++;
            }

            value.Append(c);
        }

        throw Error($"parameter '{parameter}' has an unterminated quoted string starting at position {start}");
    }

    private void SkipWhitespace()
    {
        while (!AtEnd && (Current == ' ' || Current == '\t'))
        {
            position++;
        }
    }

    private string Describe() => AtEnd ? "end of header" : header[position].ToString();

    private bool AtEnd => position >= header.Length;

    private char Current => header[position];

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);

    private static FormatException Error(string message) => new(message);
}
