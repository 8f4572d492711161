using System.Text;

namespace RelayExporter.Simulator;

/// <summary>Bodies for the faults that answer 200 with something that is not the API.</summary>
internal static class FaultBodies
{
    public static BodyResponse Garbage()
    {
        var bytes = new byte[512];
        Random.Shared.NextBytes(bytes);
        // Starts like JSON so that only a real parse notices; the fixed bytes are never valid UTF-8.
        "{\"id\":"u8.CopyTo(bytes);
        bytes[6] = 0xC3;
        bytes[7] = 0x28;
        bytes[8] = 0xFF;
        bytes[9] = 0xFE;
        return new BodyResponse(200, "application/json", bytes);
    }

    public static BodyResponse Html() => new(200, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(
        """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Attention Required! | Network Access</title></head>
        <body>
        <h1>Please sign in to continue</h1>
        <p>Your connection is being checked before you can access this site.</p>
        <form method="post" action="/login"><input name="user"><button>Continue</button></form>
        </body>
        </html>
        """));

    public static BodyResponse Redirect(RedirectFault fault)
    {
        var response = new BodyResponse(fault.Status, "text/html; charset=utf-8",
            Encoding.UTF8.GetBytes($"<html><body>Moved: <a href=\"{fault.Location}\">here</a></body></html>"));
        response.Headers["Location"] = fault.Location;
        return response;
    }
}
