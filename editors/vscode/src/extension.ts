// songspec for VS Code: starts `song lsp` over stdio for every .song file. Highlighting comes from the
// TextMate grammar (syntaxes/song.tmLanguage.json) and works without the server; diagnostics,
// formatting, the outline and folding come from the server, which is the compiler itself.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("songspec.restartServer", async () => {
      await stopServer();
      await startServer();
    }),
    vscode.workspace.onDidChangeConfiguration(async (change) => {
      if (change.affectsConfiguration("songspec.server")) {
        await stopServer();
        await startServer();
      }
    }),
  );
  await startServer();
}

export async function deactivate(): Promise<void> {
  await stopServer();
}

async function startServer(): Promise<void> {
  const settings = vscode.workspace.getConfiguration("songspec");
  const server: ServerOptions = {
    command: settings.get<string>("server.command", "song"),
    args: settings.get<string[]>("server.args", ["lsp"]),
    transport: TransportKind.stdio,
  };
  const options: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "song" },
      { scheme: "untitled", language: "song" },
    ],
    // A `use`d style file that changes on disk (saved elsewhere, or by git) is checked again.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.song") },
  };
  client = new LanguageClient("songspec", "songspec language server", server, options);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    void vscode.window.showErrorMessage(
      `songspec: could not start \`${server.command} ${(server.args ?? []).join(" ")}\` (${error}). ` +
        "Install songspec with its lsp extra, or set songspec.server.command to its `song`.",
    );
  }
}

async function stopServer(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    await running.stop();
  }
}
