using RelayExporter.Hosting;

return await ExporterCommand.RunAsync(args, Console.Out, Console.Error);
