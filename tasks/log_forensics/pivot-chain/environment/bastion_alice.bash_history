#1776561694
free -m
#1776561739
ls -la /srv
#1776561818
uptime
#1776561836
free -m
#1776565848
tail -n 50 /var/log/syslog
#1776565911
systemctl status app
#1776576240
free -m
#1776576339
tail -n 50 /var/log/syslog
#1776586052
systemctl status app
#1776586156
ls -la /srv
#1776600971
ls -la /srv
#1776600990
tail -n 50 /var/log/syslog
#1776633891
ls -la /srv
#1776634001
journalctl -u nginx --since today
#1776636588
free -m
#1776636701
systemctl status app
#1776698188
systemctl status app
#1776698295
uptime
#1776725773
systemctl status app
#1776725801
ls -la /srv
#1776726075
df -h
#1776726148
tail -n 50 /var/log/syslog
#1776762996
df -h
#1776763077
systemctl status app
#1776770164
tail -n 50 /var/log/syslog
#1776770228
free -m
#1776780473
systemctl status app
#1776780525
tail -n 50 /var/log/syslog
#1776816144
free -m
#1776816216
journalctl -u nginx --since today
#1776834007
systemctl status app
#1776834038
free -m
#1776843813
df -h
#1776843911
systemctl status app
#1776886223
tail -n 50 /var/log/syslog
#1776886307
ls -la /srv
