Console.WriteLine($"emoser {EmoSer.Runtime.EmoSerInfo.Version}");
return 0;
